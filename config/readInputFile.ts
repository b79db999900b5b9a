import { readFileSync } from 'node:fs';
import { inputError } from '../engine/index.ts';

/**
 * The text of a file the user named (a config, a sweep grid). A folder or an unreadable file is an input error
 * naming it, `${kind}_UNREADABLE`, rather than a system error; a missing one is the caller's to judge, since a
 * config that is not there means the defaults.
 */
export function readInputFile(path: string, kind: 'CONFIG' | 'GRID', hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError(`${kind}_UNREADABLE`, code === 'EISDIR' ? `a directory, not a ${kind === 'CONFIG' ? 'config' : 'grid'} file` : `cannot read it: ${(error as Error).message}`, {
      where: path,
      hint,
    });
  }
}
