import type { CandleColumns } from '../../../data/index.ts';
import { generateSynthetic } from '../../../data/synth/index.ts';
import { intervalMs } from '../../../engine/index.ts';
import { configSchema, type XylenConfig, type XylenConfigInput } from '../../../config/index.ts';
import type { ReplayInputs } from '../loadReplayData.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Same warm-up as loadReplayData: 60 context bars before `from`. */
const WARMUP_MS = 60 * HOUR;

/**
 * Replay inputs built in memory from the seeded synthetic market, as loadReplayData would load them from a store
 * of 1m candles: 1m base candles over [from, to), 5m decision and 1h context candles from the warm-up start.
 * The generator walks the same minute path whatever the candle interval, so the three series are the same market
 * folded three ways (what resampling the 1m candles would give), without a store.
 */
export function syntheticInputs(options: { seed: number; days: number; from?: number; price?: number; withFunding?: boolean }): ReplayInputs {
  const from = options.from ?? Date.UTC(2024, 0, 10);
  const to = from + options.days * DAY;
  const warmupFrom = from - WARMUP_MS;
  const market = (interval: '1m' | '5m' | '1h') =>
    generateSynthetic({ start: warmupFrom, end: to, interval, seed: options.seed, price: options.price ?? 60_000 });
  const minute = market('1m');
  const first = (from - warmupFrom) / intervalMs('1m');
  const slice = (a: Float64Array) => a.slice(first);
  const c = minute.candles;
  const base = { length: c.length - first, openTime: slice(c.openTime), open: slice(c.open), high: slice(c.high), low: slice(c.low), close: slice(c.close), volume: slice(c.volume) };
  const funding = options.withFunding === false ? { length: 0, fundingTime: new Float64Array(0), rate: new Float64Array(0) } : fundingFrom(minute.funding, from);
  return {
    market: 'synthetic',
    symbol: 'BTCUSDT',
    from,
    to,
    decisionInterval: '5m',
    contextInterval: '1h',
    baseInterval: '1m',
    base,
    decision: market('5m').candles,
    context: market('1h').candles,
    warmupFrom,
    funding,
    fundingSource: funding.length > 0 ? 'stored' : 'constant',
    derived: { decision: 'resampled', context: 'resampled' },
  };
}

function fundingFrom(f: ReturnType<typeof generateSynthetic>['funding'], from: number) {
  let k = 0;
  while (k < f.length && f.fundingTime[k]! < from) k++;
  return { length: f.length - k, fundingTime: f.fundingTime.slice(k), rate: f.rate.slice(k) };
}

/** The default config with overrides, parsed by the real schema (so a test cannot build an invalid one). */
export function testConfig(overrides: XylenConfigInput = {}): XylenConfig {
  return configSchema.parse(overrides);
}

/**
 * Each candle's values under the previous candle's open time: the series a loader that stamps candles one bar
 * early would give, so every bar carries the one that has not closed yet. A look-ahead bug to catch.
 */
export function stampedOneBarEarly(c: CandleColumns): CandleColumns {
  const next = (a: Float64Array) => a.slice(1);
  return { length: c.length - 1, openTime: c.openTime.slice(0, -1), open: next(c.open), high: next(c.high), low: next(c.low), close: next(c.close), volume: next(c.volume) };
}
