// Test support: random candle series for properties and a reader for the real CSV files in ../shared/data.
// Pure (the tests do the file I/O), so engine/ stays free of node:fs even outside *.test.ts files.
import fc from 'fast-check';
import type { CandleColumnsLike, CandleLike } from '../CandleColumnsLike.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** 2024-01-01T00:00Z: an hour boundary to build series from. */
export const BASE_TIME = Date.UTC(2024, 0, 1);

interface Step {
  ret: number;
  up: number;
  down: number;
  volume: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  // Zero returns and zero volume now and then, so flat windows (RSI 50, %B 0.5, z-score 0) are exercised.
  ret: fc.oneof(fc.constant(0), fc.double({ min: -0.03, max: 0.03, noNaN: true })),
  up: fc.double({ min: 0, max: 0.01, noNaN: true }),
  down: fc.double({ min: 0, max: 0.01, noNaN: true }),
  volume: fc.oneof(fc.constant(0), fc.constant(100), fc.double({ min: 0, max: 1e4, noNaN: true })),
});

/** A random-walk candle series of `intervalMs` bars opening at `start`. */
export function candleSeries(intervalMs: number, start: number, length: { min: number; max: number }): fc.Arbitrary<CandleColumnsLike> {
  return fc
    .record({ price: fc.double({ min: 1, max: 1e5, noNaN: true }), steps: fc.array(step, { minLength: length.min, maxLength: length.max, size: 'max' }) })
    .map(({ price, steps }) => {
      const n = steps.length;
      const c = emptyColumns(n);
      let close = price;
      steps.forEach((s, i) => {
        const open = close;
        close = open * Math.exp(s.ret);
        c.openTime[i] = start + i * intervalMs;
        c.high[i] = Math.max(open, close) * (1 + s.up);
        c.low[i] = Math.min(open, close) * (1 - s.down);
        c.close[i] = close;
        c.volume[i] = s.volume;
      });
      return c;
    });
}

/**
 * 5m decision candles and 1h context candles over overlapping spans: the context starts at BASE_TIME, the
 * decision series 0–80 hours later at any 5m offset, so rows see no closed hour, a warming-up context, a
 * stable one and (past its end) a stale one.
 */
export const market = fc
  .record({
    offset: fc.integer({ min: 0, max: 80 * 12 }),
    context: candleSeries(HOUR, BASE_TIME, { min: 0, max: 100 }),
    decisionLength: fc.integer({ min: 1, max: 400 }),
  })
  .chain(({ offset, context, decisionLength }) =>
    candleSeries(5 * MINUTE, BASE_TIME + offset * 5 * MINUTE, { min: decisionLength, max: decisionLength }).map((decision) => ({ decision, context })),
  );

export function emptyColumns(n: number): { length: number; openTime: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array } {
  return { length: n, openTime: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
}

export function candleAt(c: CandleColumnsLike, i: number): CandleLike {
  return { openTime: c.openTime[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! };
}

/** Binance kline CSV (`open_time,open,high,low,close,volume`, a header line) as columns, optionally cut to a time range. */
export function parseCandleCsv(text: string, from = -Infinity, to = Infinity): CandleColumnsLike {
  const lines = text.trim().split('\n').slice(1);
  const rows = lines.map((line) => line.split(',').map(Number)).filter((r) => r[0]! >= from && r[0]! < to);
  const c = emptyColumns(rows.length);
  rows.forEach((r, i) => {
    c.openTime[i] = r[0]!;
    c.high[i] = r[2]!;
    c.low[i] = r[3]!;
    c.close[i] = r[4]!;
    c.volume[i] = r[5]!;
  });
  return c;
}

/** Index of the first pair of values that differ bit-for-bit (NaN equals NaN), or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
