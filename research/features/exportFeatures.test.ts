// The feature export against real BTCUSDT candles: the file read back with DuckDB equals computeFeatures (and the
// labelers) run on the same candles parsed straight from the CSV files, row for row; then the error cases.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFeatures, parseTime, XylenError, type CandleColumnsLike } from '../../engine/index.ts';
import { forwardReturnLabels, tripleBarrierLabels } from '../../engine/labels/index.ts';
import type { Store } from '../../data/index.ts';
import { insertRealCandles, realFile, TempStores } from '../../data/query/testStore.ts';
import { exportFeatures, type FeatureExportRequest, type FeatureExportResult } from './exportFeatures.ts';

const FIVE_MINUTES = 300_000;
const FILE_5M = realFile('BTCUSDT', 'BTCUSDT-5m-2025-03-06_2025-04-13.csv');
const FILE_1H = realFile('BTCUSDT', 'BTCUSDT-1h-2019-09-08_2026-05-17.csv');

interface Candles extends CandleColumnsLike {
  open: Float64Array;
}

/** The CSV's candles with open time in [from, to), read without Xylen. */
function readCandles(file: string, from: number, to: number): Candles {
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number))
    .filter((row) => row[0]! >= from && row[0]! < to);
  const column = (i: number) => Float64Array.from(rows, (row) => row[i]!);
  return { length: rows.length, openTime: column(0), open: column(1), high: column(2), low: column(3), close: column(4), volume: column(5) };
}

type Row = Record<string, unknown>;

async function readBack(path: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // CSV sniffing would read time_utc as a TIMESTAMP; the file holds text.
    const source = path.endsWith('.csv') ? `read_csv('${path}', types = {'time_utc': 'VARCHAR'})` : `'${path}'`;
    const reader = await connection.runAndReadAll(`SELECT * FROM ${source}`);
    return reader.getRowObjects() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const cell = (value: number) => (Number.isNaN(value) ? null : value);

/** The file's rows equal the matrix rows (and labels) at the same times; returns the rows compared. */
function expectFileEqualsEngine(rows: Row[], result: FeatureExportResult, from: number, to: number, decision: Candles, context: Candles, labels?: ReturnType<typeof forwardReturnLabels>) {
  const matrix = computeFeatures(decision, context);
  const exported = Array.from(matrix.time.keys()).filter((r) => matrix.time[r]! >= from && matrix.time[r]! < to);
  expect(rows.length).toBe(exported.length);
  expect(result.rows).toBe(exported.length);
  expect(Object.keys(rows[0]!)).toEqual(result.columns);
  expect(result.columns).toEqual(['time', 'time_utc', 'symbol', 'market', ...matrix.names, ...(labels ? ['label', 'label_time', 'label_return'] : [])]);
  exported.forEach((r, i) => {
    const row = rows[i]!;
    const time = matrix.time[r]!;
    expect(Number(row['time'])).toBe(time);
    expect(row['time_utc']).toBe(new Date(time).toISOString());
    expect([row['symbol'], row['market']]).toEqual(['BTCUSDT', 'usdm']);
    const expected = matrix.names.map((_, c) => cell(matrix.values[r * matrix.width + c]!));
    expect(matrix.names.map((name) => row[name])).toEqual(expected);
    if (labels) {
      const labelTime = row['label_time'] === null ? null : Number(row['label_time']);
      expect([row['label'], labelTime, row['label_return']]).toEqual([cell(labels.label[r]!), cell(labels.time[r]!), cell(labels.realizedReturn[r]!)]);
    }
  });
}

const stores = new TempStores();
let store: Store;
let dir: string;
afterAll(() => stores.cleanup());
beforeAll(async () => {
  store = await stores.open();
  dir = join(store.path, '..');
  await insertRealCandles(store, FILE_5M, { market: 'usdm', symbol: 'BTCUSDT', interval: '5m' });
  await insertRealCandles(store, FILE_1H, { market: 'usdm', symbol: 'BTCUSDT', interval: '1h' });
});

const request = (overrides: Partial<FeatureExportRequest>): FeatureExportRequest => ({
  market: 'usdm',
  symbol: 'BTCUSDT',
  from: parseTime('2025-03-10'),
  to: parseTime('2025-03-17'),
  decisionInterval: '5m',
  contextInterval: '1h',
  label: { kind: 'none' },
  out: join(dir, 'features.parquet'),
  ...overrides,
});

describe('exportFeatures on real BTCUSDT 5m candles with 1h context', () => {
  it('writes Parquet equal to computeFeatures and tripleBarrierLabels on the same candles, rows from `from` on', async () => {
    const from = parseTime('2025-03-10');
    const to = parseTime('2025-03-17');
    const spec = { horizon: 12, takeProfit: 0.01, stopLoss: 0.005, signAtVertical: false };
    const out = join(dir, 'week.parquet');
    const progress: number[] = [];
    const result = await exportFeatures(store, request({ out, label: { kind: 'triple-barrier', ...spec }, onProgress: (done) => progress.push(done) }));
    const rows = await readBack(out);

    // The same candles as the replay loads: from its warm-up start, and `horizon` bars past `to` for the labels.
    expect(result.warmupFrom).toBeLessThan(from);
    const end = to + spec.horizon * FIVE_MINUTES;
    const decision = readCandles(FILE_5M, result.warmupFrom, end);
    const context = readCandles(FILE_1H, result.warmupFrom, end);
    const matrix = computeFeatures(decision, context);
    const labels = tripleBarrierLabels(matrix.time, decision.close, readCandles(FILE_5M, from, end), { ...spec, decisionMs: FIVE_MINUTES, baseMs: FIVE_MINUTES });
    expectFileEqualsEngine(rows, result, from, to, decision, context, labels);

    expect(Number(rows[0]!['time'])).toBe(from); // the 5m bar closing at `from` is the first decision
    expect(Number(rows.at(-1)!['time'])).toBe(to - FIVE_MINUTES);
    expect(rows.every((row) => Object.values(row).every((v) => v !== null))).toBe(true); // warm by `from`
    // The labels past the last exported row's horizon exist in the store, so none is unknown; all three outcomes occur.
    const counted = { up: 0, down: 0, neutral: 0, unknown: 0 };
    for (const row of rows) counted[row['label'] === 1 ? 'up' : row['label'] === -1 ? 'down' : row['label'] === 0 ? 'neutral' : 'unknown']++;
    expect(result.labelCounts).toEqual(counted);
    expect(counted.unknown).toBe(0);
    expect(Math.min(counted.up, counted.down, counted.neutral)).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(rows.length);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('writes CSV with NULLs for warm-up cells when the range starts with the data, with forward-return labels', async () => {
    const from = parseTime('2025-03-06');
    const to = parseTime('2025-03-07');
    const out = join(dir, 'first-day.csv');
    const result = await exportFeatures(store, request({ from, to, out, label: { kind: 'forward-return', horizon: 3 } }));
    const rows = await readBack(out);

    const decision = readCandles(FILE_5M, result.warmupFrom, to + 3 * FIVE_MINUTES);
    const context = readCandles(FILE_1H, result.warmupFrom, to + 3 * FIVE_MINUTES);
    const labels = forwardReturnLabels(computeFeatures(decision, context).time, decision.close, 3, FIVE_MINUTES);
    expectFileEqualsEngine(rows, result, from, to, decision, context, labels);
    expect(Number(rows[0]!['time'])).toBe(decision.openTime[0]! + FIVE_MINUTES); // the file's first candle, 10:30 UTC
    expect(rows[0]!['ret_48']).toBeNull();
    expect(rows[0]!['label']).not.toBeNull();
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(result.columns.join(','));
  });

  it('labels synthetic data as such on every row', async () => {
    await store.connection.run(`INSERT INTO candles SELECT 'synthetic', symbol, interval, open_time, open, high, low, close, volume, NULL, NULL, NULL, NULL FROM candles WHERE market = 'usdm' AND interval = '5m' AND open_time < ${parseTime('2025-03-12')}`);
    const out = join(dir, 'synthetic.parquet');
    const result = await exportFeatures(store, request({ market: 'synthetic', from: parseTime('2025-03-10'), to: parseTime('2025-03-11'), out }));
    expect(result.synthetic).toBe(true);
    expect(result.derived.context).toBe('resampled');
    const markets = new Set((await readBack(out)).map((row) => row['market']));
    expect([...markets]).toEqual(['synthetic']);
  });

  it('refuses bad requests with input errors, leaving no file', async () => {
    const fails = async (overrides: Partial<FeatureExportRequest>, code: string) => {
      const error = await exportFeatures(store, request(overrides)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XylenError);
      expect((error as XylenError).code).toBe(code);
      expect((error as XylenError).exitCode).toBe(2);
    };
    await fails({ out: join(dir, 'features.xlsx') }, 'BAD_EXPORT_FORMAT');
    await fails({ out: join(dir, 'no-such-dir', 'f.csv') }, 'EXPORT_DIR_MISSING');
    await fails({ from: parseTime('2025-03-17'), to: parseTime('2025-03-10') }, 'BAD_RANGE');
    await fails({ symbol: 'ETHUSDT' }, 'NO_DATA');
    await fails({ from: parseTime('2019-01-01'), to: parseTime('2019-02-01') }, 'NO_DATA');
    // Candles are stored in the range, but no 1h decision candle closes inside 10:30–10:45.
    await fails({ decisionInterval: '1h', contextInterval: '4h', from: parseTime('2025-03-10T10:30'), to: parseTime('2025-03-10T10:45') }, 'NO_DECISIONS');
    expect(existsSync(join(dir, 'features.parquet'))).toBe(false);
  });
});
