import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../test/paths.ts';
import { runXylen as xylen } from '../../test/runXylen.ts';

const GOOD = join(SHARED_DATA, 'binance-usdm/ETHUSDT/ETHUSDT-5m-2025-03-06_2025-04-13.csv');

describe('xylen data import', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xylen-cli-import-'));
    db = join(dir, 'store.duckdb');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('imports a good file, exit 0, with a summary table; --json prints the report', async () => {
    const lines = (await readFile(GOOD, 'utf8')).trim().split('\n');
    const result = await xylen(['--db', db, 'data', 'import', GOOD]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/imported\s+usdm ETHUSDT 5m\s+10,906\s+10,906/);
    expect(result.stdout).toContain(`1 file(s): 1 imported, 0 unchanged, 0 rejected; ${(lines.length - 1).toLocaleString('en-US')} rows read`);

    const again = await xylen(['--db', db, 'data', 'import', GOOD, '--json']);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report).toMatchObject({ unchanged: 1, rejected: 0, rowsAdded: 0, files: [{ status: 'unchanged', rows: lines.length - 1 }] });
  });

  it('rejects a bad file with file:line, still imports the good one, and exits 2', async () => {
    const bad = join(dir, 'ETHUSDT-1h-bad.csv');
    await writeFile(bad, 'open_time,open,high,low,close,volume\n1741258800000,2300,2310,2290,2305,10\n1741262400000,2305,2290,2310,2300,10\n');
    const good = join(SHARED_DATA, 'binance-usdm/BTCUSDT/BTCUSDT-5m-2025-03-06_2025-04-13.csv');
    const result = await xylen(['--db', db, 'data', 'import', bad, good]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`${bad}:3: high < low (high 2290.0, low 2310.0)`);
    expect(result.stdout).toMatch(/1 imported, 0 unchanged, 1 rejected/);
    expect(result.stderr).toMatch(/error\[IMPORT_REJECTED\]: 1 of 2 file\(s\) rejected/);
  });

  it('a path that does not exist is an input error before anything is imported', async () => {
    const result = await xylen(['--db', db, 'data', 'import', join(dir, 'nope.csv')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/IMPORT_PATH_MISSING.*nope\.csv/);
  });
});
