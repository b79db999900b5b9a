import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { checkOutputFile } from '../../data/index.ts';

/**
 * Check that a report can be written to `path` before any work is done: its directory must exist (it is not
 * created: a typo in a path should not scatter folders) and the path must not be a directory.
 */
export function checkReportPath(path: string, where = '--out'): string {
  return checkOutputFile(path, where, 'REPORT');
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
