import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../engine/index.ts';
import { Store } from '../../data/index.ts';
import { appendCandles, insertRealCandles, realFile } from '../../data/query/testStore.ts';
import { runXylen } from '../../test/runXylen.ts';
import { runXylenBin } from '../../test/runXylenBin.ts';

// `xylen data ls`, `data resample` and `data export` against a temp store, in-process; readers side by side as child processes.
const dir = mkdtempSync(join(tmpdir(), 'xylen-query-cli-'));
const db = join(dir, 'store.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const xylen = (...args: string[]) => runXylen(['--db', db, ...args]);

const FILE = realFile('BTCUSDT', 'BTCUSDT-1m-2025-05-04_2025-06-03.csv');
/** The real file's rows, read independently of Xylen: [open_time, open, high, low, close, volume]. */
const fileRows = readFileSync(FILE, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
/** A 30-minute hole cut into the stored copy. */
const HOLE = fileRows.slice(10_000, 10_030).map((row) => row[0]!);
const storedRows = fileRows.filter((row) => !HOLE.includes(row[0]!));

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await insertRealCandles(store, FILE, { market: 'usdm', symbol: 'BTCUSDT', interval: '1m' });
    await store.connection.run(`DELETE FROM candles WHERE open_time BETWEEN ${HOLE[0]} AND ${HOLE.at(-1)}`);
    await appendCandles(store, [0, 1, 2].map((i) => ({ market: 'synthetic', symbol: 'BTCUSDT', interval: '1h', openTime: Date.UTC(2024, 0, 1, i), open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 })));
    await store.connection.run(
      `INSERT INTO imports (source, format, dataset, rows, rows_added, checksum, status, message, imported_at)
       VALUES ('bad.csv', 'ohlcv-csv', 'candles', 0, 0, 'x', 'rejected', 'bad.csv:3: high 5 is below low 7', now()::TIMESTAMP)`,
    );
  } finally {
    store.close();
  }
});

describe('xylen data ls', () => {
  it('says "no data yet" for a store that does not exist, and exits 0', async () => {
    const result = await runXylen(['--db', join(dir, 'none.duckdb'), 'data', 'ls']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no data yet; try `xylen data import …` or `xylen data synth`');
  });

  it('shows coverage with SYNTHETIC labelled, the gaps, and the rejected imports', async () => {
    const result = await xylen('data', 'ls', '--gaps', '--imports');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('candles  SYNTHETIC'))).toContain('BTCUSDT');
    const usdm = lines.find((l) => l.startsWith('candles  usdm'))!;
    expect(usdm).toContain(storedRows.length.toLocaleString('en-US'));
    expect(usdm).toContain(fileRows.length.toLocaleString('en-US')); // expected rows
    expect(result.stdout).toContain(`${formatTime(HOLE[0]!)} … ${formatTime(HOLE.at(-1)!)}  (30 missing)`);
    expect(result.stdout).toContain('bad.csv:3: high 5 is below low 7');
  });

  it('prints JSON with the gap list for scripts, and rejects an unknown market with exit 2', async () => {
    // Readers open the store read-only, so several processes can read it at once.
    const [result, bad] = await Promise.all([
      runXylenBin(['--db', db, 'data', 'ls', '--symbol', 'BTCUSDT', '--market', 'usdm', '--json']),
      runXylenBin(['--db', db, 'data', 'ls', '--market', 'binance']),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[BAD_MARKET]: --market');
    const listing = JSON.parse(result.stdout) as { series: { rows: number; gaps: unknown[] }[] };
    expect(listing.series).toHaveLength(1);
    expect(listing.series[0]!.rows).toBe(storedRows.length);
    expect(listing.series[0]!.gaps).toEqual([{ from: HOLE[0], to: HOLE.at(-1), missing: 30 }]);
  });
});

describe('xylen data resample', () => {
  it('refuses a time given to --to, an unknown target and an unknown export format before writing anything', async () => {
    const time = await xylen('data', 'resample', '--symbol', 'BTCUSDT', '--to', '2025-05-10');
    const typo = await xylen('data', 'resample', '--symbol', 'BTCUSDT', '--to', '5m,7m');
    const format = await xylen('data', 'export', '--symbol', 'BTCUSDT', '--interval', '1m', '--out', join(dir, 'x.xlsx'));
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('error[BAD_EXPORT_FORMAT]: --out');
    expect(time.code).toBe(2);
    expect(time.stderr).toContain('--until');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown interval "7m"');
    const ls = JSON.parse((await xylen('data', 'ls', '--interval', '5m', '--json')).stdout) as { series: unknown[] };
    expect(ls.series).toEqual([]); // the valid 5m target was not written either
  });

  it('stores the complete 1h buckets, equal to a naive aggregation of the file, and lists the incomplete ones', async () => {
    const result = await xylen('data', 'resample', '--symbol', 'BTCUSDT', '--to', '1h', '--json');
    expect(result.code, result.stderr).toBe(0);
    const [report] = (JSON.parse(result.stdout) as { reports: { written: number; incomplete: { openTime: number; count: number }[] }[] }).reports;

    const hours = new Map<number, number[][]>();
    for (const row of storedRows) {
      const hour = Math.floor(row[0]! / 3_600_000) * 3_600_000;
      hours.set(hour, [...(hours.get(hour) ?? []), row]);
    }
    const complete = [...hours].filter(([, rows]) => rows.length === 60);
    expect(report!.written).toBe(complete.length);
    expect(report!.incomplete.map((b) => [b.openTime, b.count])).toEqual([...hours].filter(([, rows]) => rows.length < 60).map(([h, rows]) => [h, rows.length]));

    const store = await Store.open(db, { readOnly: true });
    try {
      const stored = await store.all(`SELECT open_time::DOUBLE AS t, open, high, low, close, volume FROM candles WHERE interval = '1h' AND market = 'usdm' ORDER BY open_time`);
      expect(stored.map((r) => [r['t'], r['open'], r['high'], r['low'], r['close']])).toEqual(
        complete.map(([hour, rows]) => [hour, rows[0]![1], Math.max(...rows.map((r) => r[2]!)), Math.min(...rows.map((r) => r[3]!)), rows[59]![4]]),
      );
      stored.forEach((r, i) => expect(r['volume']).toBeCloseTo(complete[i]![1].reduce((s, row) => s + row[5]!, 0), 6));
    } finally {
      store.close();
    }
  });
});

describe('xylen data export', () => {
  it('writes a CSV that DuckDB reads back equal to the stored rows, SYNTHETIC ones marked', async () => {
    const out = join(dir, 'synthetic-1h.csv');
    const result = await xylen('data', 'export', '--market', 'synthetic', '--symbol', 'BTCUSDT', '--interval', '1h', '--from', '2024-01-01', '--to', '2024-01-01T02:00', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('SYNTHETIC BTCUSDT 1h candles: 2 rows');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toEqual([
      'open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_base,taker_buy_quote,market',
      `${Date.UTC(2024, 0, 1, 0)},1.0,2.0,0.5,1.5,3.0,,,,,synthetic`,
      `${Date.UTC(2024, 0, 1, 1)},1.0,2.0,0.5,1.5,3.0,,,,,synthetic`,
    ]);

    // A new user's round trip: import the file into a fresh store, and it is SYNTHETIC there too.
    const fresh = join(dir, 'fresh.duckdb');
    const imported = await runXylen(['--db', fresh, 'data', 'import', out, '--symbol', 'BTCUSDT', '--interval', '1h']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/imported\s+synthetic BTCUSDT 1h\s+2\s+2/);
    const ls = await runXylen(['--db', fresh, 'data', 'ls']);
    expect(ls.stdout.split('\n').filter((l) => l.startsWith('candles'))).toEqual([expect.stringMatching(/^candles\s+SYNTHETIC\s+BTCUSDT\s+1h/)]);
  });
});
