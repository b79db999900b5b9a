import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XylenError } from '../engine/index.ts';
import { checkOutputFile, makeOutputDir } from './outputPaths.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-output-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'a-file');
writeFileSync(file, 'x');
mkdirSync(join(dir, 'folder.csv'));

/** The error code and flag a call fails with, or 'ok'. */
function outcome(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (!(error instanceof XylenError)) throw error;
    return `${error.code} ${error.describe()}`;
  }
}

describe('checkOutputFile', () => {
  it('takes a new or existing file in an existing folder, absolute', () => {
    expect(checkOutputFile(join(dir, 'new.csv'), '--out', 'EXPORT')).toBe(join(dir, 'new.csv'));
    expect(checkOutputFile(file, '--out', 'EXPORT')).toBe(file);
  });

  it('refuses a missing folder, a file where the folder should be, and a folder as the file, naming the flag', () => {
    expect(outcome(() => checkOutputFile(join(dir, 'missing', 'a.csv'), '--out', 'EXPORT'))).toMatch(/^EXPORT_DIR_MISSING --out: .*the directory .*missing does not exist/);
    expect(outcome(() => checkOutputFile(join(file, 'a.csv'), '--out', 'REPORT'))).toMatch(/^REPORT_DIR_MISSING --out: .*a-file is a file, not a directory/);
    expect(outcome(() => checkOutputFile(join(file, 'deeper', 'a.csv'), '--out', 'EXPORT'))).toMatch(/^EXPORT_DIR_MISSING /);
    expect(outcome(() => checkOutputFile(join(dir, 'folder.csv'), '--out', 'EXPORT'))).toMatch(/^EXPORT_PATH_IS_DIR --out: /);
  });
});

describe('makeOutputDir', () => {
  it('creates a folder with its parents, and takes one that exists', () => {
    const nested = join(dir, 'x', 'y', 'z');
    expect(makeOutputDir(nested, '--csv')).toBe(nested);
    expect(statSync(nested).isDirectory()).toBe(true);
    expect(makeOutputDir(nested, '--csv')).toBe(nested);
  });

  it('refuses a file, or a path through a file, naming the flag and leaving the file alone', () => {
    expect(outcome(() => makeOutputDir(file, '--csv'))).toMatch(/^EXPORT_DIR_IS_FILE --csv: /);
    expect(outcome(() => makeOutputDir(join(file, 'sub'), '--csv'))).toMatch(/^EXPORT_DIR_UNWRITABLE --csv: .*a part of it is a file/);
    expect(statSync(file).isFile()).toBe(true);
  });
});
