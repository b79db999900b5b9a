import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import type { CandleColumns, SeriesKey } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { loadCandles, loadFunding, loadMarkCandles, streamCandles } from './loadCandles.ts';
import { appendCandles, insertRealCandles, insertRealFunding, realFile, TempStores } from './testStore.ts';
import { toArrowTable } from './toArrowTable.ts';

const BTC_1M: SeriesKey = { market: 'usdm', symbol: 'BTCUSDT', interval: '1m' };
const stores = new TempStores();
let real: Store;

beforeAll(async () => {
  real = await stores.open();
  await insertRealCandles(real, realFile('BTCUSDT', 'BTCUSDT-1m-2025-05-04_2025-06-03.csv'), BTC_1M);
  await insertRealCandles(real, realFile('BTCUSDT', 'BTCUSDT-markprice-1h-2019-12-23_2026-05-17.csv'), { ...BTC_1M, interval: '1h' }, 'mark_candles');
  await insertRealFunding(real, realFile('BTCUSDT', 'BTCUSDT-funding-2023-01-01_2024-05-14.csv'), BTC_1M);
  return () => stores.cleanup();
});

const scratch = new TempStores();
afterEach(() => scratch.cleanup());

/** The reference: every row read one by one through plain SQL, as numbers. */
async function sqlRows(store: Store, sql: string, params: (string | bigint)[] = []): Promise<number[][]> {
  const reader = await store.connection.runAndReadAll(sql, params);
  return reader.getRows().map((row) => row.map((value) => (value === null ? Number.NaN : Number(value))));
}

function columnRows(columns: CandleColumns): number[][] {
  return Array.from({ length: columns.length }, (_, i) => [
    columns.openTime[i]!, columns.open[i]!, columns.high[i]!, columns.low[i]!, columns.close[i]!, columns.volume[i]!,
  ]);
}

describe('loadCandles', () => {
  it('equals a row-by-row SQL read of the real BTCUSDT 1m month', async () => {
    const columns = await loadCandles(real, BTC_1M);
    const expected = await sqlRows(real, `SELECT open_time, open, high, low, close, volume FROM candles WHERE symbol = 'BTCUSDT' AND interval = '1m' ORDER BY open_time`);
    expect(columns.length).toBe(43_199); // the row count the data README gives for this file
    expect(columnRows(columns)).toEqual(expected);
    // The plain OHLCV file has no quote volume, trades or taker columns: they are absent, not zero.
    expect(columns.quoteVolume).toBeUndefined();
    expect(columns.trades).toBeUndefined();
  });

  it('includes `from` and excludes `to`', async () => {
    const all = await loadCandles(real, BTC_1M);
    const from = all.openTime[100]!;
    const to = all.openTime[160]!;
    const part = await loadCandles(real, BTC_1M, { from, to });
    expect(part.length).toBe(60);
    expect(part.openTime[0]).toBe(from);
    expect(part.openTime[59]).toBe(all.openTime[159]);
    expect(Array.from(part.close)).toEqual(Array.from(all.close.subarray(100, 160)));
    // Open-ended ranges.
    expect((await loadCandles(real, BTC_1M, { from: all.openTime[all.length - 3]! })).length).toBe(3);
    expect((await loadCandles(real, BTC_1M, { to: all.openTime[2]! })).length).toBe(2);
  });

  it('returns an empty load for a range with no candles in a stored series', async () => {
    const empty = await loadCandles(real, BTC_1M, { from: 0, to: 1000 });
    expect(empty.length).toBe(0);
    expect(empty.close.length).toBe(0);
  });

  it('rejects an empty or inverted range as input', async () => {
    const error = await loadCandles(real, BTC_1M, { from: 10, to: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XylenError);
    expect((error as XylenError).code).toBe('BAD_RANGE');
  });

  it('never resamples silently: a missing interval names what is stored and the resample command', async () => {
    const error = await loadCandles(real, { ...BTC_1M, interval: '5m' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XylenError);
    const xylen = error as XylenError;
    expect(xylen.code).toBe('SERIES_NOT_STORED');
    expect(xylen.exitCode).toBe(1);
    expect(xylen.message).toContain('stored intervals: 1m');
    expect(xylen.hint).toContain('xylen data resample --market usdm --symbol BTCUSDT --from-interval 1m --to 5m');

    const otherMarket = (await loadCandles(real, { ...BTC_1M, market: 'spot' }).catch((e: unknown) => e)) as XylenError;
    expect(otherMarket.message).toContain('stored under market usdm');
    const unknown = (await loadCandles(real, { ...BTC_1M, symbol: 'NOPEUSDT' }).catch((e: unknown) => e)) as XylenError;
    expect(unknown.code).toBe('SERIES_NOT_STORED');
    expect(unknown.hint).toContain('xylen data ls');
  });

  it('loads optional columns when present and reads missing values as NaN', async () => {
    const store = await scratch.open();
    await store.connection.run(`INSERT INTO candles VALUES
      ('synthetic','XUSDT','1h',0,1,2,0.5,1.5,10,15,7,4,6),
      ('synthetic','XUSDT','1h',3600000,1.5,2,1,1.25,20,NULL,9,NULL,NULL)`);
    const columns = await loadCandles(store, { market: 'synthetic', symbol: 'XUSDT', interval: '1h' });
    expect(Array.from(columns.trades!)).toEqual([7, 9]);
    expect(Array.from(columns.quoteVolume!)).toEqual([15, Number.NaN]);
    expect(columns.takerBuyBase![0]).toBe(4);
    expect(Array.from(columns.openTime)).toEqual([0, 3_600_000]);
  });
});

describe('streamCandles', () => {
  it('yields bounded batches that concatenate to the full load', async () => {
    const full = await loadCandles(real, BTC_1M);
    // 4999 is not a multiple of DuckDB's 2048-row chunks, so batches split chunks.
    const batches: CandleColumns[] = [];
    for await (const batch of streamCandles(real, BTC_1M, {}, 4999)) batches.push(batch);
    expect(batches.every((b) => b.length <= 4999 && b.close.length === b.length)).toBe(true);
    expect(batches.slice(0, -1).every((b) => b.length === 4999)).toBe(true);
    expect(batches.length).toBe(Math.ceil(full.length / 4999));
    expect(batches.flatMap(columnRows)).toEqual(columnRows(full));
  });

  it('with holes and any batch size, batches stay within the bound and concatenate to the load', async () => {
    const store = await scratch.open();
    const key: SeriesKey = { market: 'synthetic', symbol: 'HOLEUSDT', interval: '5m' };
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.nat(2000), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 64 }), async (slots, batchRows) => {
        await store.connection.run('DELETE FROM candles');
        await appendCandles(store, slots.map((slot) => ({ ...key, openTime: slot * 300_000, open: slot, high: slot + 1, low: slot - 1, close: slot, volume: 1 })));
        const batches: CandleColumns[] = [];
        for await (const batch of streamCandles(store, key, {}, batchRows)) batches.push(batch);
        expect(batches.every((b) => b.length > 0 && b.length <= batchRows)).toBe(true);
        expect(batches.flatMap((b) => Array.from(b.openTime))).toEqual(slots.map((slot) => slot * 300_000).sort((a, b) => a - b));
      }),
      { numRuns: 30 },
    );
  });

  it('loses no rows when other queries run on the same store mid-stream or concurrently', async () => {
    // DuckDB silently ends a streaming result when the connection runs another query.
    const full = await loadCandles(real, BTC_1M);
    let rows = 0;
    for await (const batch of streamCandles(real, BTC_1M, {}, 10_000)) {
      rows += batch.length;
      expect((await loadFunding(real, { market: 'usdm', symbol: 'BTCUSDT' })).length).toBe(1498);
    }
    expect(rows).toBe(full.length);
    const [again, funding, mark] = await Promise.all([
      loadCandles(real, BTC_1M),
      loadFunding(real, { market: 'usdm', symbol: 'BTCUSDT' }),
      loadMarkCandles(real, { ...BTC_1M, interval: '1h' }),
    ]);
    expect(Array.from(again.close)).toEqual(Array.from(full.close));
    expect(funding.length).toBe(1498);
    expect(mark.length).toBe(56_084); // the README's row count
  });

  it('streams a range with the same bounds as loadCandles', async () => {
    const full = await loadCandles(real, BTC_1M);
    const range = { from: full.openTime[10]!, to: full.openTime[5000]! };
    const rows: number[] = [];
    for await (const batch of streamCandles(real, BTC_1M, range, 2048)) rows.push(...batch.openTime);
    expect(rows).toEqual(Array.from((await loadCandles(real, BTC_1M, range)).openTime));
  });
});

describe('loadMarkCandles and loadFunding', () => {
  it('load the real mark-price candles and funding rates as a SQL read does', async () => {
    const mark = await loadMarkCandles(real, { ...BTC_1M, interval: '1h' }, { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 1, 1) });
    const expected = await sqlRows(real, `SELECT open_time, open, high, low, close FROM mark_candles WHERE open_time >= ${Date.UTC(2024, 0, 1)} AND open_time < ${Date.UTC(2024, 1, 1)} ORDER BY open_time`);
    expect(mark.length).toBe(31 * 24);
    expect(Array.from({ length: mark.length }, (_, i) => [mark.openTime[i], mark.open[i], mark.high[i], mark.low[i], mark.close[i]])).toEqual(expected);

    const funding = await loadFunding(real, { market: 'usdm', symbol: 'BTCUSDT' });
    const fundingRows = await sqlRows(real, `SELECT funding_time, rate FROM funding_rates ORDER BY funding_time`);
    expect(funding.length).toBe(1498);
    expect(Array.from({ length: funding.length }, (_, i) => [funding.fundingTime[i], funding.rate[i]])).toEqual(fundingRows);
    expect(funding.markPrice).toBeUndefined();
  });
});

describe('toArrowTable', () => {
  it('holds the same values, open_time as a UTC millisecond timestamp', async () => {
    const all = await loadCandles(real, BTC_1M);
    const columns = await loadCandles(real, BTC_1M, { to: all.openTime[60]! });
    const table = toArrowTable(columns);
    expect(table.numRows).toBe(60);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['open_time', 'open', 'high', 'low', 'close', 'volume']);
    expect(String(table.getChild('open_time')!.type)).toBe('Timestamp<MILLISECOND, UTC>');
    expect(Array.from(table.getChild('close')!.toArray() as Float64Array)).toEqual(Array.from(columns.close));
    expect(Number(table.get(5)!['open_time'])).toBe(columns.openTime[5]);
  });
});
