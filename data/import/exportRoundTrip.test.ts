// What `xylen data export` writes, `xylen data import` reads back: every kind of series, CSV and Parquet,
// into a fresh store, row for row; the market comes from the file's market column, never from a default.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interval } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';
import { exportSeries } from '../query/exportSeries.ts';
import { SERIES_TABLE, type SeriesKind } from '../query/SeriesKind.ts';
import { realFile, TempStores } from '../query/testStore.ts';
import type { Store } from '../Store.ts';
import { importSynthetic } from '../synth/index.ts';
import { importPaths } from './importPaths.ts';

const stores = new TempStores();
let source: Store;
let outDir: string;
afterAll(() => stores.cleanup());

beforeAll(async () => {
  source = await stores.open();
  outDir = dirname(source.path);
  const report = await importPaths(source, [
    realFile('BTCUSDT', 'BTCUSDT-1h-2023-01-01_2024-05-14.csv'),
    realFile('BTCUSDT', 'BTCUSDT-markprice-1h-2019-12-23_2026-05-17.csv'),
    realFile('BTCUSDT', 'BTCUSDT-funding-2023-01-01_2024-05-14.csv'),
  ], {});
  expect(report.rejected).toBe(0);
  // Synthetic candles fill every optional column, and their funding carries a mark price.
  await importSynthetic(source, { symbol: 'BTCUSDT', interval: '5m', start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 4), seed: 11, price: 60_000 });
});

/** Every stored row of one series, all columns, as text so that nothing is compared loosely. */
async function seriesRows(store: Store, kind: SeriesKind, market: Market, interval?: Interval): Promise<string[][]> {
  const time = kind === 'funding' ? 'funding_time' : 'open_time';
  const intervalCondition = interval === undefined ? '' : ` AND interval = '${interval}'`;
  const reader = await store.connection.runAndReadAll(`SELECT * FROM ${SERIES_TABLE[kind]} WHERE market = '${market}'${intervalCondition} ORDER BY ${time}`);
  return reader.getRows().map((row) => row.map(String));
}

const SERIES: { kind: SeriesKind; market: Market; interval?: Interval }[] = [
  { kind: 'candles', market: 'usdm', interval: '1h' },
  { kind: 'mark', market: 'usdm', interval: '1h' },
  { kind: 'funding', market: 'usdm' },
  { kind: 'candles', market: 'synthetic', interval: '5m' },
  { kind: 'funding', market: 'synthetic' },
];

describe('export → import round trip', () => {
  for (const format of ['csv', 'parquet'] as const) {
    it(`${format}: a fresh store gets back the very rows, synthetic ones as synthetic`, async () => {
      const target = await stores.open();
      for (const { kind, market, interval } of SERIES) {
        // Names that say neither symbol nor market: both must come from the flags and the market column.
        const out = join(outDir, `${market}-${kind}.${format}`);
        await exportSeries(source, { kind, key: { market, symbol: 'BTCUSDT', ...(interval ? { interval } : {}) }, out });
        const report = await importPaths(target, [out], { symbol: 'BTCUSDT', ...(interval ? { interval } : {}), defaultMarket: 'usdm' });
        expect(report.files.map((f) => [f.status, f.market, f.dataset]), `${market} ${kind}`).toEqual([
          ['imported', market, SERIES_TABLE[kind]],
        ]);
        const expected = await seriesRows(source, kind, market, interval);
        expect(expected.length).toBeGreaterThan(0);
        expect(await seriesRows(target, kind, market, interval)).toEqual(expected);
      }
      // Nothing landed under another market than the file said.
      for (const table of ['candles', 'mark_candles', 'funding_rates']) {
        const reader = await target.connection.runAndReadAll(`SELECT DISTINCT market FROM ${table} ORDER BY market`);
        const expected = [...new Set(SERIES.filter((s) => SERIES_TABLE[s.kind] === table).map((s) => s.market))].sort();
        expect(reader.getRows().map((row) => row[0]), table).toEqual(expected);
      }
    });
  }

  it('imports an exported file named like Binance files without any flag', async () => {
    const target = await stores.open();
    const out = join(outDir, 'BTCUSDT-5m-synthetic.csv');
    await exportSeries(source, { kind: 'candles', key: { market: 'synthetic', symbol: 'BTCUSDT', interval: '5m' }, out });
    const report = await importPaths(target, [out], {});
    expect(report.files.map((f) => [f.status, f.market, f.symbol, f.interval])).toEqual([['imported', 'synthetic', 'BTCUSDT', '5m']]);
  });
});

describe('the market column', () => {
  const header = 'open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_base,taker_buy_quote,market';
  const row = (hour: number, market: string) => `${Date.UTC(2024, 0, 1, hour)},1.0,2.0,0.5,1.5,3.0,,,,,${market}`;

  async function importLines(name: string, lines: string[], options = {}) {
    const file = join(outDir, name);
    writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
    const target = await stores.open();
    const report = await importPaths(target, [file], { symbol: 'BTCUSDT', interval: '1h', ...options });
    const [stored] = (await target.connection.runAndReadAll('SELECT count(*)::DOUBLE FROM candles')).getRows();
    return { result: report.files[0]!, stored: stored![0] };
  }

  it('refuses a file that mixes markets, naming the first line of the second market', async () => {
    const { result, stored } = await importLines('mixed.csv', [row(0, 'usdm'), row(1, 'usdm'), row(2, 'synthetic'), row(3, 'usdm')]);
    expect(result.status).toBe('rejected');
    expect(result.problems).toEqual([{ line: 4, message: expect.stringContaining('market synthetic, but line 2 says usdm: a file holds one market') }]);
    expect(stored).toBe(0);
  });

  it('refuses an unknown or empty market with its line, and a --market that contradicts the column', async () => {
    const unknown = await importLines('unknown.csv', [row(0, 'synthetic'), row(1, 'binance')]);
    expect(unknown.result.problems).toEqual([{ line: 3, message: expect.stringContaining('unknown market "binance" in the market column') }]);
    const empty = await importLines('empty.csv', [row(0, '')]);
    expect(empty.result.problems).toEqual([{ line: 2, message: expect.stringContaining('the market column is empty') }]);
    const flag = await importLines('flag.csv', [row(0, 'synthetic')], { market: 'usdm' });
    expect(flag.result.status).toBe('rejected');
    expect(flag.result.problems[0]!.message).toContain('the market column says synthetic but --market says usdm');
    expect([unknown.stored, empty.stored, flag.stored]).toEqual([0, 0, 0]);
  });
});
