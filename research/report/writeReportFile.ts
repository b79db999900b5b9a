import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../../engine/index.ts';

/**
 * Check that a report can be written to `path` before any work is done: its directory must exist (it is not
 * created: a typo in a path should not scatter folders) and the path must not be a directory.
 */
export function checkReportPath(path: string, where = '--out'): string {
  const full = resolve(path);
  const dir = dirname(full);
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (!dirStat?.isDirectory()) {
    throw inputError('REPORT_DIR_MISSING', `cannot write ${path}: the directory ${dir} ${dirStat ? 'is not a directory' : 'does not exist'}`, {
      where,
      hint: `create it first (mkdir -p ${dir}) or choose another path`,
    });
  }
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) {
    throw inputError('REPORT_PATH_IS_DIR', `${path} is a directory`, { where, hint: 'give a file name, e.g. report.html' });
  }
  return full;
}

/** Write the page whole or not at all: to a temporary file beside it, then renamed over the target. */
export function writeReportFile(path: string, html: string, where = '--out'): { path: string; bytes: number } {
  const full = checkReportPath(path, where);
  const temporary = `${full}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, html, 'utf8');
    renameSync(temporary, full);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return { path: full, bytes: Buffer.byteLength(html, 'utf8') };
}
