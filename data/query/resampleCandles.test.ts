import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { intervalMs, XylenError, type Interval } from '../../engine/index.ts';
import type { SeriesKey } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { loadCandles } from './loadCandles.ts';
import { resampleCandles, resampleRatio, type ResampledBucket } from './resampleCandles.ts';
import { resampleColumns } from './resampleColumns.ts';
import { appendCandles, insertRealCandles, realFile, TempStores, type TestCandle } from './testStore.ts';

const MINUTE = 60_000;
const KEY: SeriesKey = { market: 'synthetic', symbol: 'PROPUSDT', interval: '1m' };
const stores = new TempStores();
let store: Store;
beforeAll(async () => {
  store = await stores.open();
});
afterAll(() => stores.cleanup());
beforeEach(async () => {
  await store.connection.run('DELETE FROM candles');
});

/** mulberry32: the test's own seeded generator, so fast-check shrinks a few integers, not hundreds of rows. */
function generator(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** A valid 1m series (low ≤ open, close ≤ high) of up to 700 minutes with random holes. */
const series = fc
  .record({
    startMinute: fc.integer({ min: 28_000_000, max: 28_100_000 }), // around 2023, any alignment
    length: fc.integer({ min: 1, max: 700 }),
    holePercent: fc.integer({ min: 0, max: 30 }),
    seed: fc.integer(),
    withTrades: fc.boolean(),
  })
  .map(({ startMinute, length, holePercent, seed, withTrades }) => {
    const next = generator(seed);
    const rows: TestCandle[] = [];
    for (let i = 0; i < length; i++) {
      const hole = next(100) < holePercent;
      const base = 1 + next(10_000);
      const low = base - next(500) / 100;
      const high = base + next(500) / 100;
      const close = low + ((high - low) * next(1001)) / 1000;
      const volume = next(1000);
      if (hole) continue;
      rows.push({ ...KEY, openTime: (startMinute + i) * MINUTE, open: base, high, low, close, volume: volume / 8, ...(withTrades ? { trades: volume } : {}) });
    }
    return rows;
  })
  .filter((rows) => rows.length > 0); // an absent series is an error (SERIES_NOT_STORED), tested elsewhere

/** The naive reference: group minutes by bucket in plain JS. */
function reference(rows: readonly TestCandle[], target: Interval) {
  const width = intervalMs(target);
  const groups = new Map<number, TestCandle[]>();
  for (const row of rows) {
    const bucket = Math.floor(row.openTime / width) * width;
    groups.set(bucket, [...(groups.get(bucket) ?? []), row]);
  }
  const stored = new Set(rows.map((r) => r.openTime));
  return new Map(
    [...groups].map(([bucket, members]) => {
      const sorted = [...members].sort((a, b) => a.openTime - b.openTime);
      let allMinutes = true;
      for (let t = bucket; t < bucket + width; t += MINUTE) allMinutes &&= stored.has(t);
      return [bucket, { sorted, allMinutes }] as const;
    }),
  );
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function checkAgainstReference(buckets: ResampledBucket[], rows: readonly TestCandle[], target: Interval, range: { from?: number; to?: number } = {}) {
  const width = intervalMs(target);
  const groups = reference(rows, target);
  const expected = [...groups].filter(([b]) => (range.from === undefined || b >= range.from) && (range.to === undefined || b < range.to));
  expect(buckets.map((b) => b.openTime)).toEqual(expected.map(([b]) => b).sort((a, b) => a - b));
  for (const bucket of buckets) {
    const { sorted, allMinutes } = groups.get(bucket.openTime)!;
    // No bucket mixes minutes of two buckets: every member floors to this bucket, and the count is theirs.
    expect(sorted.every((r) => r.openTime >= bucket.openTime && r.openTime < bucket.openTime + width)).toBe(true);
    expect(bucket.count).toBe(sorted.length);
    // Incomplete exactly when a minute of the bucket is missing.
    expect(bucket.complete).toBe(allMinutes);
    expect(bucket.open).toBe(sorted[0]!.open);
    expect(bucket.close).toBe(sorted.at(-1)!.close);
    expect(bucket.high).toBe(Math.max(...sorted.map((r) => r.high)));
    expect(bucket.low).toBe(Math.min(...sorted.map((r) => r.low)));
    expect(close(bucket.volume, sorted.reduce((s, r) => s + r.volume, 0))).toBe(true);
    if (sorted[0]!.trades === undefined) expect(bucket.trades).toBeNull();
    else expect(bucket.trades).toBe(sorted.reduce((s, r) => s + r.trades!, 0));
    expect(bucket.quoteVolume).toBeNull(); // no source candle has it
    expect(bucket.low <= Math.min(bucket.open, bucket.close) && bucket.high >= Math.max(bucket.open, bucket.close)).toBe(true);
  }
}

describe('resampleCandles', () => {
  it('matches a naive JS reference on random 1m series with holes', async () => {
    await fc.assert(
      fc.asyncProperty(series, fc.constantFrom<Interval>('5m', '15m', '1h', '4h'), async (rows, target) => {
        await store.connection.run('DELETE FROM candles');
        await appendCandles(store, rows);
        checkAgainstReference(await resampleCandles(store, KEY, target), rows, target);
      }),
      { numRuns: 60 },
    );
  });

  it('a range selects whole buckets by open time and never cuts one', async () => {
    await fc.assert(
      fc.asyncProperty(series, fc.constantFrom<Interval>('5m', '15m', '1h'), fc.nat(800), fc.nat(800), async (rows, target, a, b) => {
        fc.pre(a !== b);
        await store.connection.run('DELETE FROM candles');
        await appendCandles(store, rows);
        const origin = rows[0]!.openTime;
        const range = { from: origin + Math.min(a, b) * MINUTE - 30_000, to: origin + Math.max(a, b) * MINUTE + 17_000 };
        checkAgainstReference(await resampleCandles(store, KEY, target, range), rows, target, range);
      }),
      { numRuns: 40 },
    );
  });

  it('on real BTCUSDT 1m data, complete 1h buckets reproduce the 1m extremes and closes', async () => {
    const real = { market: 'usdm', symbol: 'BTCUSDT', interval: '1m' } as const;
    await insertRealCandles(store, realFile('BTCUSDT', 'BTCUSDT-1m-2025-05-04_2025-06-03.csv'), real);
    const minutes = await loadCandles(store, real);
    const buckets = await resampleCandles(store, real, '1h');
    // The README says the file has no gaps: only the partial first and last hours are incomplete.
    expect(buckets.filter((b) => !b.complete).length).toBeLessThanOrEqual(2);
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(minutes.length);
    const some = buckets.find((b) => b.complete)!;
    const start = minutes.openTime.indexOf(some.openTime);
    expect(some.high).toBe(Math.max(...minutes.high.subarray(start, start + 60)));
    expect(some.close).toBe(minutes.close[start + 59]);
  });
});

describe('resampleColumns', () => {
  it('gives the complete buckets of resampleCandles, bit for bit, from candles in memory', async () => {
    await fc.assert(
      fc.asyncProperty(series, fc.constantFrom<Interval>('5m', '15m', '1h', '4h'), async (rows, target) => {
        await store.connection.run('DELETE FROM candles');
        await appendCandles(store, rows);
        const complete = (await resampleCandles(store, KEY, target)).filter((b) => b.complete);
        const columns = resampleColumns(await loadCandles(store, KEY), MINUTE, intervalMs(target));
        expect(columns.length).toBe(complete.length);
        for (const [k, b] of complete.entries()) {
          expect([columns.openTime[k], columns.open[k], columns.high[k], columns.low[k], columns.close[k], columns.volume[k]]).toEqual([b.openTime, b.open, b.high, b.low, b.close, b.volume]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('sums volumes in time order over many row groups, as the store does: the same doubles every time', async () => {
    // 300,000 minutes, which DuckDB scans on several threads, of volumes whose float sum depends on the order of adding.
    const next = generator(11);
    const rows: TestCandle[] = [];
    for (let i = 0; i < 300_000; i++) {
      const price = 100 + next(1000) / 100;
      rows.push({ ...KEY, openTime: (28_000_017 + i) * MINUTE, open: price, high: price + 1, low: price - 1, close: price, volume: next(1e9) / 7 + 1e-9 * next(1000) });
    }
    await appendCandles(store, rows);
    const columns = resampleColumns(await loadCandles(store, KEY), MINUTE, intervalMs('1h'));
    for (let attempt = 0; attempt < 3; attempt++) {
      const buckets = (await resampleCandles(store, KEY, '1h')).filter((b) => b.complete);
      expect(buckets.map((b) => b.volume)).toEqual(Array.from(columns.volume));
    }
  });
});

describe('resampleRatio', () => {
  it('accepts multiples up to 1d and rejects the rest as input', () => {
    expect(resampleRatio('1m', '5m')).toBe(5);
    expect(resampleRatio('1h', '1d')).toBe(24);
    expect(resampleRatio('15m', '1h')).toBe(4);
    for (const [source, target] of [['5m', '3m'], ['1m', '1m'], ['3m', '5m'], ['1h', '1w']] as [Interval, Interval][]) {
      const error = (() => { try { resampleRatio(source, target); } catch (e) { return e; } })();
      expect(error).toBeInstanceOf(XylenError);
      expect((error as XylenError).code).toBe('BAD_RESAMPLE_TARGET');
    }
  });
});
