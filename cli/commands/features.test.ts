// `xylen features export` run in-process: config
// defaults reach the labels, --json and text summaries describe the file written, bad flags exit 2.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTime } from '../../engine/index.ts';
import { Store } from '../../data/index.ts';
import { insertRealCandles, realFile } from '../../data/query/testStore.ts';
import { exportFeatures } from '../../research/features/index.ts';
import { runXylen } from '../../test/runXylen.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-features-cli-'));
const db = join(dir, 'store.duckdb');
const config = join(dir, 'xylen.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await insertRealCandles(store, realFile('BTCUSDT', 'BTCUSDT-5m-2025-03-06_2025-04-13.csv'), { market: 'usdm', symbol: 'BTCUSDT', interval: '5m' });
    await insertRealCandles(store, realFile('BTCUSDT', 'BTCUSDT-1h-2019-09-08_2026-05-17.csv'), { market: 'usdm', symbol: 'BTCUSDT', interval: '1h' });
  } finally {
    store.close();
  }
  writeFileSync(config, 'risk:\n  take_profit_pct: 0.01\n  stop_loss_pct: 0.005\n');
});

const xylen = (...args: string[]) => runXylen(['--db', db, '--config', config, ...args]);

async function fileRows(path: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(`SELECT * EXCLUDE (time_utc) FROM '${path}' ORDER BY time`)).getRowObjects() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('xylen features export', () => {
  it('takes the barrier widths from the config and prints a JSON summary of the file it wrote', async () => {
    const out = join(dir, 'cli.parquet');
    const run = await xylen('features', 'export', '--from', '2025-03-10', '--to', '2025-03-12', '--out', out, '--label', 'triple-barrier', '--horizon', '6', '--json');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { rows: number; columns: string[]; path: string; market: string; symbol: string; labelCounts: Record<string, number> };
    expect(summary).toMatchObject({ path: out, market: 'usdm', symbol: 'BTCUSDT', rows: 2 * 288 });
    const rows = await fileRows(out);
    expect(rows.length).toBe(summary.rows);
    expect(['time_utc', ...Object.keys(rows[0]!)].sort()).toEqual([...summary.columns].sort());
    const counts = { up: 0, down: 0, neutral: 0, unknown: 0 };
    for (const row of rows) counts[row['label'] === 1 ? 'up' : row['label'] === -1 ? 'down' : row['label'] === 0 ? 'neutral' : 'unknown']++;
    expect(summary.labelCounts).toEqual(counts);
    expect(counts.up + counts.down).toBeGreaterThan(0); // 1 % and 0.5 % barriers are touched within 30 min; the default 4 % and 2 % rarely

    // The same export with the config's widths spelled out gives the same file content.
    const store = await Store.open(db, { readOnly: true });
    const direct = join(dir, 'direct.parquet');
    try {
      await exportFeatures(store, {
        market: 'usdm', symbol: 'BTCUSDT', from: parseTime('2025-03-10'), to: parseTime('2025-03-12'), decisionInterval: '5m', contextInterval: '1h',
        label: { kind: 'triple-barrier', horizon: 6, takeProfit: 0.01, stopLoss: 0.005, signAtVertical: false },
        out: direct,
      });
    } finally {
      store.close();
    }
    expect(rows).toEqual(await fileRows(direct));
  });

  it('writes CSV and says in text what it wrote', async () => {
    const out = join(dir, 'cli.csv');
    const run = await xylen('features', 'export', '--symbol', 'BTCUSDT', '--from', '2025-03-10', '--to', '2025-03-11', '--out', out, '--label', 'forward-return');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`usdm BTCUSDT 5m features with 1h context: 288 rows`);
    expect(run.stdout).toContain(out);
    expect(run.stdout).toMatch(/labels forward-return: up \d+, down \d+, neutral \d+, unknown 0/);
    expect((await fileRows(out)).length).toBe(288);
  });

  it('exits 2 with the flag named for bad input, and writes nothing', async () => {
    const out = join(dir, 'bad.parquet');
    const base = ['features', 'export', '--from', '2025-03-10', '--to', '2025-03-11'];
    const cases: [string[], string, string][] = [
      [[...base, '--out', join(dir, 'x.txt')], 'BAD_EXPORT_FORMAT', '--out'],
      [[...base, '--out', out, '--label', 'meta'], 'BAD_LABEL', '--label'],
      [[...base, '--out', out, '--label', 'forward-return', '--horizon', '0'], 'BAD_INTEGER', '--horizon'],
      [[...base, '--out', out, '--label', 'triple-barrier', '--tp', '-0.1'], 'BAD_FRACTION', '--tp'],
      [[...base, '--out', out, '--label', 'triple-barrier', '--sl', '0.9'], 'BAD_FRACTION', '--sl'],
      [[...base, '--out', out, '--decision-interval', '7m'], 'BAD_INTERVAL', '--decision-interval'],
      [['features', 'export', '--from', '2025-03-11', '--to', '2025-03-10', '--out', out], 'BAD_RANGE', '--from/--to'],
      [[...base, '--out', out, '--symbol', 'ETHUSDT'], 'NO_DATA', ''],
    ];
    for (const [args, code, where] of cases) {
      const run = await xylen(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(where ? `error[${code}]: ${where}: ` : `error[${code}]: `);
    }
    expect((await xylen('features', 'export', '--from', '2025-03-10', '--out', out)).code).toBe(2); // --to missing
    expect(existsSync(out)).toBe(false);
  });
});
