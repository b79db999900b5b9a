import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import { copyQueryToFile, exportTarget } from './copyToFile.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-copy-'));
let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('copyQueryToFile', () => {
  it('writes the rows with their parameters and replaces an existing file', async () => {
    const target = exportTarget(join(dir, "it's.csv")); // a quote in the path must not break the COPY
    writeFileSync(target.path, 'old');
    const rows = await copyQueryToFile(connection, 'SELECT i, $1::VARCHAR AS tag FROM range(3) t(i)', ['x'], target);
    expect(rows).toBe(3);
    expect(readFileSync(target.path, 'utf8')).toBe('i,tag\n0,x\n1,x\n2,x\n');
  });

  it('leaves the old file as it was, and no partial file, when the query fails part-way', async () => {
    for (const name of ['keep.csv', 'keep.parquet']) {
      const target = exportTarget(join(dir, name));
      writeFileSync(target.path, 'old');
      const failing = `SELECT CASE WHEN i < 100000 THEN i ELSE error('boom') END AS i FROM range(200000) t(i)`;
      await expect(copyQueryToFile(connection, failing, [], target)).rejects.toThrow('boom');
      expect(readFileSync(target.path, 'utf8')).toBe('old');
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('exportTarget refuses an unknown extension or a missing folder before any work', () => {
    const code = (out: string) => {
      try {
        exportTarget(out);
        return undefined;
      } catch (error) {
        return (error as XylenError).code;
      }
    };
    expect(code(join(dir, 'a.xlsx'))).toBe('BAD_EXPORT_FORMAT');
    expect(code(join(dir, 'missing', 'a.csv'))).toBe('EXPORT_DIR_MISSING');
    expect(exportTarget(join(dir, 'A.PARQUET')).format).toBe('parquet');
  });
});
