import { afterEach, describe, expect, it } from 'vitest';
import type { SeriesKey } from '../CandleColumns.ts';
import { loadCandles } from './loadCandles.ts';
import { resampleCandles } from './resampleCandles.ts';
import { storeResampled } from './storeResampled.ts';
import { appendCandles, TempStores, type TestCandle } from './testStore.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const KEY: SeriesKey = { market: 'synthetic', symbol: 'WUSDT', interval: '1m' };
const stores = new TempStores();
afterEach(() => stores.cleanup());

/** `hours` hours of 1m candles from `start`, leaving out the minutes in `holes`. */
function minutes(start: number, hours: number, holes: Set<number> = new Set()): TestCandle[] {
  return Array.from({ length: hours * 60 }, (_, i) => i)
    .filter((i) => !holes.has(i))
    .map((i) => ({ ...KEY, openTime: start + i * MINUTE, open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 1 + (i % 5), trades: i }));
}

describe('storeResampled', () => {
  it('stores exactly the complete buckets, equal to the query, and lists the incomplete ones', async () => {
    const store = await stores.open();
    const start = Date.UTC(2024, 0, 1);
    await appendCandles(store, minutes(start, 3, new Set([7, 65, 66])));
    const report = await storeResampled(store, KEY, '15m');

    const buckets = await resampleCandles(store, KEY, '15m');
    const complete = buckets.filter((b) => b.complete);
    expect(buckets.length).toBe(12);
    expect(report.written).toBe(complete.length);
    expect(report.written).toBe(10); // 12 quarter-hours, two of them with a missing minute
    expect(report.incomplete).toEqual([
      { openTime: start, count: 14, expected: 15 },
      { openTime: start + 4 * 15 * MINUTE, count: 13, expected: 15 },
    ]);
    expect(report.sourceRows).toBe(180 - 3);
    expect(report.skippedExisting).toBe(0);

    const stored = await loadCandles(store, { ...KEY, interval: '15m' });
    expect(Array.from(stored.openTime)).toEqual(complete.map((b) => b.openTime));
    expect(Array.from(stored.close)).toEqual(complete.map((b) => b.close));
    expect(Array.from(stored.trades!)).toEqual(complete.map((b) => b.trades));
  });

  it('keeps native rows on conflict, counts them as skipped and reports the ones that differ', async () => {
    const store = await stores.open();
    const start = Date.UTC(2024, 0, 1);
    await appendCandles(store, minutes(start, 2));
    const [first, second] = await resampleCandles(store, KEY, '1h');
    // A native 1h row equal to the resample, and one whose close disagrees.
    await appendCandles(store, [
      { ...KEY, interval: '1h', openTime: first!.openTime, open: first!.open, high: first!.high, low: first!.low, close: first!.close, volume: first!.volume },
      { ...KEY, interval: '1h', openTime: second!.openTime, open: second!.open, high: second!.high, low: second!.low, close: second!.close + 5, volume: second!.volume },
    ]);
    const report = await storeResampled(store, KEY, '1h');
    expect(report.written).toBe(0);
    expect(report.skippedExisting).toBe(2);
    expect(report.differing).toEqual([{ openTime: start + HOUR, columns: ['close'] }]);
    const stored = await loadCandles(store, { ...KEY, interval: '1h' });
    expect(stored.close[1]).toBe(second!.close + 5); // the native value survived
  });

  it('refuses a source series that is not stored', async () => {
    const store = await stores.open();
    await expect(storeResampled(store, KEY, '5m')).rejects.toMatchObject({ code: 'SERIES_NOT_STORED' });
  });

  it('is idempotent: a second run writes nothing and finds nothing different', async () => {
    const store = await stores.open();
    await appendCandles(store, minutes(Date.UTC(2024, 0, 1), 5));
    expect((await storeResampled(store, KEY, '1h')).written).toBe(5);
    const again = await storeResampled(store, KEY, '1h');
    expect(again).toMatchObject({ written: 0, skippedExisting: 5, differing: [] });
  });

  it('stores incomplete buckets only when asked, and honours a range across windows', async () => {
    const store = await stores.open();
    const start = Date.UTC(2024, 0, 1);
    // 40 days: more than one 30-day window; holes in day 0 and day 35.
    await appendCandles(store, minutes(start, 40 * 24, new Set([3, 35 * 1440 + 10])));
    const progress: number[] = [];
    const report = await storeResampled(store, KEY, '1d', {}, { includeIncomplete: true, onProgress: (done) => progress.push(done) });
    expect(report.written).toBe(40);
    expect(report.incomplete.map((b) => b.openTime)).toEqual([start, start + 35 * 86_400_000]);
    expect(progress.length).toBe(2);
    expect(progress.at(-1)).toBe(40 * 1440 - 2);

    const ranged = await storeResampled(store, KEY, '4h', { from: start + 86_400_000 + 1, to: start + 2 * 86_400_000 });
    // Buckets starting in (day 1 + 1 ms, day 2): 04:00 … 20:00 → five of them.
    expect(ranged.written).toBe(5);
    expect(ranged.sourceRows).toBe(5 * 240);
  });
});
