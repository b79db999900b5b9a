import { mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../engine/index.ts';

/**
 * Where a command writes, checked before it does any work, so that a wrong path fails at once with the flag that
 * named it rather than as a system error after the work. `kind` prefixes the error codes (EXPORT_DIR_MISSING, …).
 */

/**
 * The absolute path of a file to write. Its folder must exist already (a typo in a path should not scatter new
 * folders) and the path must not be a folder.
 */
export function checkOutputFile(path: string, where: string, kind: 'EXPORT' | 'REPORT'): string {
  const full = resolve(path);
  const dir = dirname(full);
  const folder = statOf(dir);
  if (!folder?.isDirectory()) {
    throw inputError(`${kind}_DIR_MISSING`, `cannot write ${path}: ${folder ? `${dir} is a file, not a directory` : `the directory ${dir} does not exist`}`, {
      where,
      hint: folder ? 'choose another path' : `create it first (mkdir -p ${dir}) or choose another path`,
    });
  }
  if (statOf(full)?.isDirectory()) throw inputError(`${kind}_PATH_IS_DIR`, `${path} is a directory`, { where, hint: 'give a file name' });
  return full;
}

/** The absolute path of a folder to write files into, created (with its parents) when missing. */
export function makeOutputDir(path: string, where: string, kind: 'EXPORT' | 'MODELS' = 'EXPORT'): string {
  const full = resolve(path);
  const existing = statOf(full);
  if (existing && !existing.isDirectory()) {
    throw inputError(`${kind}_DIR_IS_FILE`, `cannot write into ${path}: it is a file, not a directory`, { where, hint: 'give a directory (it is created when missing)' });
  }
  try {
    mkdirSync(full, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError(`${kind}_DIR_UNWRITABLE`, `cannot create ${path}: ${code === 'ENOTDIR' ? 'a part of it is a file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`, {
      where,
      hint: 'give a directory you can write to',
    });
  }
  return full;
}

/** What is at `path`, or undefined when nothing is (a missing entry, or a file where a folder of the path should be). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
