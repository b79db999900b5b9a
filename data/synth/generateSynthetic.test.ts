import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intervalMs, XylenError, type Interval } from '../../engine/index.ts';
import type { CandleColumns } from '../CandleColumns.ts';
import { generateSynthetic, type SyntheticOptions } from './generateSynthetic.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const MONTH: SyntheticOptions = { start: START, end: START + 30 * DAY, interval: '1m', seed: 42, price: 60_000 };
const month = generateSynthetic(MONTH);

const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades', 'takerBuyBase', 'takerBuyQuote'] as const;

function column(candles: CandleColumns, name: (typeof COLUMNS)[number]): Float64Array {
  const values = candles[name];
  if (!values) throw new Error(`column ${name} missing`);
  return values;
}

function bytes(array: Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function logReturns(close: Float64Array): number[] {
  const returns: number[] = [];
  for (let i = 1; i < close.length; i++) returns.push(Math.log(close[i]! / close[i - 1]!));
  return returns;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function autocorrelation(values: readonly number[], lag: number): number {
  const mu = mean(values);
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < values.length; i++) {
    denominator += (values[i]! - mu) ** 2;
    if (i >= lag) numerator += (values[i]! - mu) * (values[i - lag]! - mu);
  }
  return numerator / denominator;
}

/** Every row of a candle series a reader could rely on. Returns the first broken rule, or undefined. */
function firstInvalidCandle(candles: CandleColumns, interval: Interval): string | undefined {
  const step = intervalMs(interval);
  for (let i = 0; i < candles.length; i++) {
    const [t, o, h, l, c, v] = [candles.openTime[i]!, candles.open[i]!, candles.high[i]!, candles.low[i]!, candles.close[i]!, candles.volume[i]!];
    const q = candles.quoteVolume![i]!;
    const n = candles.trades![i]!;
    const tb = candles.takerBuyBase![i]!;
    const tq = candles.takerBuyQuote![i]!;
    if (![t, o, h, l, c, v, q, n, tb, tq].every(Number.isFinite)) return `row ${i}: not finite`;
    if (i > 0 && t !== candles.openTime[i - 1]! + step) return `row ${i}: time ${t} does not follow ${candles.openTime[i - 1]}`;
    if (!(l > 0 && l <= Math.min(o, c) && h >= Math.max(o, c))) return `row ${i}: OHLC ${o} ${h} ${l} ${c}`;
    if (i > 0 && o !== candles.close[i - 1]) return `row ${i}: open ${o} is not the previous close`;
    if (!(v > 0 && tb >= 0 && tb <= v && tq >= 0 && tq <= q)) return `row ${i}: volumes ${v} ${q} ${tb} ${tq}`;
    // The traded average price lies in the candle's range (with room for rounding of volumes).
    if (!(q >= v * l * 0.999 && q <= v * h * 1.001)) return `row ${i}: quote volume ${q} outside [${v * l}, ${v * h}]`;
    if (!(Number.isInteger(n) && n >= 1)) return `row ${i}: trades ${n}`;
  }
  return undefined;
}

describe('generateSynthetic', () => {
  it('is deterministic: the same seed gives byte-identical columns, another seed differs', () => {
    const again = generateSynthetic(MONTH);
    for (const name of COLUMNS) expect(bytes(column(again.candles, name)).equals(bytes(column(month.candles, name))), name).toBe(true);
    expect(bytes(again.funding.rate).equals(bytes(month.funding.rate))).toBe(true);

    const other = generateSynthetic({ ...MONTH, seed: 43 });
    expect(bytes(other.candles.openTime).equals(bytes(month.candles.openTime))).toBe(true);
    expect(bytes(other.candles.close).equals(bytes(month.candles.close))).toBe(false);
    expect(bytes(other.funding.rate).equals(bytes(month.funding.rate))).toBe(false);
  });

  it('makes valid candles for any seed, length and interval', () => {
    const intervals: Interval[] = ['1m', '3m', '5m', '15m', '1h'];
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.constantFrom(...intervals),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: 0.5, max: 200_000, noNaN: true }),
        (seed, interval, count, offsetCandles, price) => {
          const step = intervalMs(interval);
          const start = START + offsetCandles * step;
          const { candles } = generateSynthetic({ start, end: start + count * step, interval, seed, price });
          expect(candles.length).toBe(count);
          expect(candles.openTime[0]).toBe(start);
          expect(firstInvalidCandle(candles, interval)).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('folds the same minutes into longer candles (5m equals the 1m series aggregated naively)', () => {
    const options: SyntheticOptions = { start: START, end: START + DAY, interval: '1m', seed: 7, price: 60_000 };
    const minutes = generateSynthetic(options).candles;
    const fives = generateSynthetic({ ...options, interval: '5m' }).candles;
    expect(fives.length).toBe(288);
    for (let i = 0; i < fives.length; i++) {
      const rows = Array.from({ length: 5 }, (_, k) => 5 * i + k);
      const sum = (values: Float64Array) => rows.reduce((s, r) => s + values[r]!, 0);
      expect(fives.openTime[i]).toBe(minutes.openTime[rows[0]!]);
      expect(fives.open[i]).toBe(minutes.open[rows[0]!]);
      expect(fives.close[i]).toBe(minutes.close[rows[4]!]);
      expect(fives.high[i]).toBe(Math.max(...rows.map((r) => minutes.high[r]!)));
      expect(fives.low[i]).toBe(Math.min(...rows.map((r) => minutes.low[r]!)));
      expect(fives.volume[i]).toBeCloseTo(sum(minutes.volume), 6);
      expect(fives.trades![i]).toBe(sum(minutes.trades!));
      expect(fives.quoteVolume![i]! / sum(minutes.quoteVolume!)).toBeCloseTo(1, 9);
    }
  });

  it('shows fat tails: excess kurtosis of 1m returns well above a normal distribution', () => {
    const returns = logReturns(month.candles.close);
    const mu = mean(returns);
    const variance = mean(returns.map((r) => (r - mu) ** 2));
    const kurtosis = mean(returns.map((r) => (r - mu) ** 4)) / variance ** 2 - 3;
    expect(kurtosis).toBeGreaterThan(1);
    // And a realistic scale: BTCUSDT 1m returns have a standard deviation of about 0.05 %.
    expect(Math.sqrt(variance)).toBeGreaterThan(0.0002);
    expect(Math.sqrt(variance)).toBeLessThan(0.0015);
  });

  it('clusters volatility: |returns| are autocorrelated at lags 1..10 while returns are not', () => {
    const returns = logReturns(month.candles.close);
    const absolute = returns.map(Math.abs);
    for (let lag = 1; lag <= 10; lag++) {
      expect(autocorrelation(absolute, lag), `|r| lag ${lag}`).toBeGreaterThan(0.1);
      expect(Math.abs(autocorrelation(returns, lag)), `r lag ${lag}`).toBeLessThan(0.05);
    }
  });

  it('has an intraday volume profile that is not flat, and volume that rises with |return|', () => {
    const byHour = Array.from({ length: 24 }, () => [] as number[]);
    for (let i = 0; i < month.candles.length; i++) byHour[new Date(month.candles.openTime[i]!).getUTCHours()]!.push(month.candles.volume[i]!);
    const hourly = byHour.map(mean);
    expect(Math.max(...hourly) / Math.min(...hourly)).toBeGreaterThan(1.5);

    const returns = logReturns(month.candles.close);
    const absolute = returns.map(Math.abs);
    const volume = Array.from(month.candles.volume.subarray(1));
    const [ma, mv] = [mean(absolute), mean(volume)];
    const covariance = mean(absolute.map((a, i) => (a - ma) * (volume[i]! - mv)));
    const correlation = covariance / Math.sqrt(mean(absolute.map((a) => (a - ma) ** 2)) * mean(volume.map((v) => (v - mv) ** 2)));
    expect(correlation).toBeGreaterThan(0.2);
  });

  it('settles funding every 8 hours on the UTC marks, around 0.01 %', () => {
    const { fundingTime, rate, markPrice } = month.funding;
    // 30 days from a midnight: marks at 00:00, 08:00 and 16:00 of each day.
    expect(month.funding.length).toBe(90);
    for (let i = 0; i < fundingTime.length; i++) {
      const time = new Date(fundingTime[i]!);
      expect([0, 8, 16]).toContain(time.getUTCHours());
      expect(time.getUTCMinutes() + time.getUTCSeconds() + time.getUTCMilliseconds()).toBe(0);
      expect(Math.abs(rate[i]!)).toBeLessThanOrEqual(0.003);
      // The mark price is the market price at that moment: the open of the candle starting then.
      expect(markPrice![i]).toBe(month.candles.open[(fundingTime[i]! - START) / 60_000]);
    }
    const average = mean(Array.from(rate));
    expect(average).toBeGreaterThan(0.00003);
    expect(average).toBeLessThan(0.0003);
    expect(new Set(rate).size).toBeGreaterThan(45);
  });

  it('rejects bad options with the flag at fault', () => {
    const fault = (options: Partial<SyntheticOptions>) => {
      try {
        generateSynthetic({ ...MONTH, ...options });
      } catch (error) {
        return error instanceof XylenError ? `${error.kind} ${error.where}` : String(error);
      }
      return 'accepted';
    };
    expect(fault({ start: START + 30_000 })).toBe('input --start');
    expect(fault({ price: 0 })).toBe('input --price');
    expect(fault({ seed: 1.5 })).toBe('input --seed');
    expect(fault({ end: START })).toBe('input --days');
    expect(fault({ interval: '1w', start: START, end: START + 28 * DAY })).toBe('accepted'); // 2024-01-01 was a Monday
    expect(fault({ interval: '1w', start: START + DAY, end: START + 29 * DAY })).toBe('input --start');
  });
});
