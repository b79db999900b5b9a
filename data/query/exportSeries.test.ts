import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import type { Store } from '../Store.ts';
import { exportFormat } from './copyToFile.ts';
import { exportSeries } from './exportSeries.ts';
import { appendCandles, insertRealCandles, insertRealFunding, realFile, TempStores } from './testStore.ts';

const stores = new TempStores();
let store: Store;
let outDir: string;
const BTC = { market: 'usdm', symbol: 'BTCUSDT' } as const;

beforeAll(async () => {
  store = await stores.open();
  outDir = mkdtempSync(join(tmpdir(), 'xylen-export-'));
  await insertRealCandles(store, realFile('BTCUSDT', 'BTCUSDT-1h-2023-01-01_2024-05-14.csv'), { ...BTC, interval: '1h' });
  await insertRealCandles(store, realFile('BTCUSDT', 'BTCUSDT-markprice-1h-2019-12-23_2026-05-17.csv'), { ...BTC, interval: '1h' }, 'mark_candles');
  await insertRealFunding(store, realFile('BTCUSDT', 'BTCUSDT-funding-2023-01-01_2024-05-14.csv'), BTC);
  await appendCandles(store, [
    { market: 'synthetic', symbol: 'BTCUSDT', interval: '5m', openTime: 0, open: 1.1, high: 2.2, low: 0.3, close: 1.7, volume: 0.1 + 0.2, quoteVolume: 1 / 3, trades: 12, takerBuyBase: 0.05, takerBuyQuote: 2 / 7 },
    { market: 'synthetic', symbol: 'BTCUSDT', interval: '5m', openTime: 300_000, open: 1.7, high: 1.9, low: 1.5, close: 1.6, volume: 4 },
  ]);
});
afterAll(() => {
  stores.cleanup();
  rmSync(outDir, { recursive: true, force: true });
});

/** Rows as DuckDB reads them back from a file, every value as text so nothing is compared loosely. */
async function readBack(path: string, columns: string): Promise<string[][]> {
  const reader = await store.connection.runAndReadAll(`SELECT ${columns} FROM '${path}'`);
  return reader.getRows().map((row) => row.map(String));
}
async function source(sql: string): Promise<string[][]> {
  return (await store.connection.runAndReadAll(sql)).getRows().map((row) => row.map(String));
}

describe('exportSeries', () => {
  for (const extension of ['parquet', 'csv'] as const) {
    it(`writes real candles to .${extension} that read back equal to the stored rows`, async () => {
      const out = join(outDir, `btc-1h.${extension}`);
      const range = { from: Date.UTC(2023, 5, 1), to: Date.UTC(2023, 6, 1) };
      const result = await exportSeries(store, { kind: 'candles', key: { ...BTC, interval: '1h' }, range, out });
      expect(result).toMatchObject({ format: extension, rows: 30 * 24 });
      const columns = 'open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base, taker_buy_quote, market';
      expect(await readBack(out, columns)).toEqual(
        await source(`SELECT ${columns} FROM candles WHERE interval = '1h' AND open_time >= ${range.from} AND open_time < ${range.to} ORDER BY open_time`),
      );
    });
  }

  it('starts the CSV with the plain OHLCV import header and keeps full double precision', async () => {
    const out = join(outDir, 'synthetic.csv');
    await exportSeries(store, { kind: 'candles', key: { market: 'synthetic', symbol: 'BTCUSDT', interval: '5m' }, out });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]!.startsWith('open_time,open,high,low,close,volume,')).toBe(true);
    expect(lines[0]!.endsWith(',market')).toBe(true);
    // Synthetic rows say so on every line.
    expect(lines.slice(1).every((line) => line.endsWith(',synthetic'))).toBe(true);
    const [row] = await store.connection.runAndReadAll(`SELECT volume, quote_volume, taker_buy_quote FROM '${out}' LIMIT 1`).then((r) => r.getRows());
    expect(row).toEqual([0.1 + 0.2, 1 / 3, 2 / 7]);
  });

  it('exports mark-price candles and funding rates with their own layouts', async () => {
    const markOut = join(outDir, 'mark.parquet');
    const mark = await exportSeries(store, { kind: 'mark', key: { ...BTC, interval: '1h' }, range: { to: Date.UTC(2020, 0, 1) }, out: markOut });
    const markSource = await source(`SELECT open_time, open, high, low, close, market FROM mark_candles WHERE open_time < ${Date.UTC(2020, 0, 1)} ORDER BY open_time`);
    expect(mark.rows).toBe(markSource.length);
    expect(await readBack(markOut, '*')).toEqual(markSource);

    const fundingOut = join(outDir, 'funding.csv');
    await exportSeries(store, { kind: 'funding', key: BTC, out: fundingOut });
    expect(readFileSync(fundingOut, 'utf8').split('\n')[0]).toBe('funding_time,funding_rate,mark_price,market');
    expect(await readBack(fundingOut, 'funding_time, funding_rate')).toEqual(await source(`SELECT funding_time, rate FROM funding_rates ORDER BY funding_time`));
  });

  it('refuses other extensions, missing folders and empty ranges, leaving no file behind', async () => {
    const code = (error: unknown) => (error as XylenError).code;
    expect(() => exportFormat('x.xlsx')).toThrow(XylenError);
    expect(code(await exportSeries(store, { kind: 'candles', key: { ...BTC, interval: '1h' }, out: join(outDir, 'a.json') }).catch((e) => e))).toBe('BAD_EXPORT_FORMAT');
    expect(code(await exportSeries(store, { kind: 'candles', key: { ...BTC, interval: '1h' }, out: join(outDir, 'nope', 'a.csv') }).catch((e) => e))).toBe('EXPORT_DIR_MISSING');
    const empty = join(outDir, 'empty.csv');
    expect(code(await exportSeries(store, { kind: 'candles', key: { ...BTC, interval: '1h' }, range: { from: 0, to: 1000 }, out: empty }).catch((e) => e))).toBe('NOTHING_TO_EXPORT');
    expect(code(await exportSeries(store, { kind: 'candles', key: { ...BTC, interval: '4h' }, out: empty }).catch((e) => e))).toBe('SERIES_NOT_STORED');
    expect(existsSync(empty)).toBe(false);
    expect(readdirSync(outDir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });
});
