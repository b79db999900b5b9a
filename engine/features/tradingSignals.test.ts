// Reference values: our indicators against trading-signals 8.3.0 (bennycode/trading-signals, MIT; the
// devDependency), both run over real Binance BTCUSDT 5m candles from ../shared/data. Tolerance: 1e-9 relative.
// Where the warm-up conventions differ (EMA seeding, hence MACD) the test checks that the whole difference is
// the documented one and that it has decayed below the tolerance, rather than skipping those bars.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATR as TsATR, BollingerBands as TsBollinger, BollingerBandsWidth, EMA as TsEMA, MACD as TsMACD, PercentB, RSI as TsRSI, SMA as TsSMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../test/paths.ts';
import { atr } from './ATR.ts';
import { bollingerBands } from './BollingerBands.ts';
import { ema } from './EMA.ts';
import { macd } from './MACD.ts';
import { rsi } from './RSI.ts';
import { sma } from './SMA.ts';
import { candleAt, parseCandleCsv } from './test/candles.ts';

const candles = parseCandleCsv(readFileSync(join(SHARED_DATA, 'binance-usdm/BTCUSDT/BTCUSDT-5m-2025-03-06_2025-04-13.csv'), 'utf8'));
const close = candles.close;
const n = candles.length;
const TOLERANCE = 1e-9;

/** Feed every close to a trading-signals indicator; its result per bar (NaN until it has one). */
function reference<R>(indicator: { add(x: number): R | null }, pick: (r: R) => number): Float64Array {
  return Float64Array.from(close, (x) => {
    const result = indicator.add(x);
    return result === null ? Number.NaN : pick(result);
  });
}

/** From bar `from` on, |ours − theirs| ≤ TOLERANCE·scale (scale: the larger magnitude, or `scaleOf(i)`). */
function expectClose(ours: Float64Array, theirs: Float64Array, from: number, scaleOf?: (i: number) => number): void {
  let worst = 0;
  let worstAt = from;
  for (let i = from; i < n; i++) {
    const a = ours[i]!;
    const b = theirs[i]!;
    const scale = scaleOf?.(i) ?? Math.max(Math.abs(a), Math.abs(b), 1e-6);
    // NaN on either side counts as the worst possible difference.
    const relative = Number.isFinite(a) && Number.isFinite(b) ? Math.abs(a - b) / scale : Infinity;
    if (!(relative <= worst)) [worst, worstAt] = [relative, i];
  }
  expect(worst, `worst at bar ${worstAt}: ${ours[worstAt]} vs ${theirs[worstAt]}`).toBeLessThanOrEqual(TOLERANCE);
}

/** First bar from which an SMA-seeded EMA is within `tolerance` of a first-value-seeded one: d₀(1−α)^k ≤ tol·x. */
function convergedFrom(seedAt: number, seedDifference: number, alpha: number, level: number): number {
  const bars = Math.log((TOLERANCE * level) / 10 / Math.abs(seedDifference)) / Math.log(1 - alpha);
  return seedAt + Math.max(0, Math.ceil(bars));
}

describe('indicators vs trading-signals 8.3.0 on real BTCUSDT 5m closes', () => {
  it('reads a real series', () => {
    expect(n).toBeGreaterThan(10_000);
  });

  it('SMA(20) matches from its first bar', () => {
    const theirs = reference(new TsSMA(20), (r) => r);
    expect(Number.isNaN(theirs[18]!) && Number.isNaN(sma(close, 20)[18]!)).toBe(true);
    expectClose(sma(close, 20), theirs, 19);
  });

  it.each([9, 21, 50])('EMA(%i) differs only by the seed, by exactly d₀·(1−α)^k, and converges', (period) => {
    const ours = ema(close, period);
    const theirs = reference(new TsEMA(period), (r) => r);
    const alpha = 2 / (period + 1);
    const seedAt = period - 1;
    const d0 = ours[seedAt]! - theirs[seedAt]!;
    expect(d0).not.toBe(0); // the conventions really differ on this data, so the check below is not vacuous
    let worst = 0;
    for (let k = 0; k < 300; k++) {
      const unexplained = ours[seedAt + k]! - theirs[seedAt + k]! - d0 * (1 - alpha) ** k;
      worst = Math.max(worst, Math.abs(unexplained) / close[seedAt + k]!);
    }
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expectClose(ours, theirs, convergedFrom(seedAt, d0, alpha, close[seedAt]!));
  });

  it('RSI(14) matches from its first bar', () => {
    expectClose(rsi(close, 14), reference(new TsRSI(14), (r) => r), 14);
  });

  it('MACD(12,26,9) line, signal and histogram converge to trading-signals after the EMA seeds decay', () => {
    const ours = macd(close, 12, 26, 9);
    const ts = new TsMACD(new TsEMA(12), new TsEMA(26), new TsEMA(9));
    const results = Array.from(close, (x) => ts.add(x));
    const theirs = (pick: (r: NonNullable<(typeof results)[number]>) => number) =>
      Float64Array.from(results, (r) => (r === null ? Number.NaN : pick(r)));
    // Same first bar for the line; our signal waits for 9 line values to seed its SMA.
    expect(results.findIndex((r) => r !== null)).toBe(25);
    expect(Number.isNaN(ours.line[24]!) && Number.isFinite(ours.line[25]!)).toBe(true);
    expect(Number.isNaN(ours.signal[32]!) && Number.isFinite(ours.signal[33]!)).toBe(true);
    // The slowest decay is the slow EMA's (α = 2/27); after 1,500 bars its seed's trace is below 1e-49.
    // MACD is a difference of prices that crosses zero, so compare it relative to the price level.
    const priceLevel = (i: number) => close[i]!;
    expectClose(ours.line, theirs((r) => r.macd), 1_500, priceLevel);
    expectClose(ours.signal, theirs((r) => r.signal), 1_500, priceLevel);
    expectClose(ours.histogram, theirs((r) => r.histogram), 1_500, priceLevel);
  });

  it('Bollinger(20,2) bands, %B and width match from their first bar', () => {
    const ours = bollingerBands(close, 20, 2);
    expectClose(ours.upper, reference(new TsBollinger(20, 2), (r) => r.upper), 19);
    expectClose(ours.middle, reference(new TsBollinger(20, 2), (r) => r.middle), 19);
    expectClose(ours.lower, reference(new TsBollinger(20, 2), (r) => r.lower), 19);
    expectClose(ours.percentB, reference(new PercentB({ interval: 20, deviationMultiplier: 2 }), (r) => r), 19);
    expectClose(ours.width, reference(new BollingerBandsWidth(new TsBollinger(20, 2)), (r) => r), 19);
  });

  it('ATR(14) matches from its first bar', () => {
    const ts = new TsATR(14);
    const theirs = Float64Array.from({ length: n }, (_, i) => ts.add(candleAt(candles, i)) ?? Number.NaN);
    expect(Number.isNaN(theirs[12]!)).toBe(true);
    expectClose(atr(candles, 14), theirs, 13);
  });
});
