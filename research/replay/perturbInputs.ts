import { intervalMs, Rng, type Interval } from '../../engine/index.ts';
import type { CandleColumns, FundingColumns } from '../../data/index.ts';
import type { ReplayInputs } from './loadReplayData.ts';

/** How many values `perturbInputs` changed, per series: a check that perturbed nothing proves nothing. */
export interface PerturbedCounts {
  base: number;
  decision: number;
  context: number;
  funding: number;
}

/**
 * A copy of the inputs in which everything not yet known at time `t` is different: every candle whose close
 * is after `t` (a candle is known at its close, so the one still open at `t` changes too) and every funding
 * settlement after `t`. Each changed candle is still a valid candle (0 < low ≤ open, close ≤ high; volume ≥ 0),
 * so the engine cannot reject it; it simply sees another future. Candles and funding up to `t` are the same
 * values. Seeded: the same seed gives the same perturbation.
 */
export function perturbInputs(inputs: ReplayInputs, t: number, seed: number): { inputs: ReplayInputs; counts: PerturbedCounts } {
  const rng = new Rng(seed);
  const base = perturbCandles(inputs.base, inputs.baseInterval, t, rng);
  const decision = perturbCandles(inputs.decision, inputs.decisionInterval, t, rng);
  const context = inputs.context === undefined ? undefined : perturbCandles(inputs.context, inputs.contextInterval, t, rng);
  const funding = perturbFunding(inputs.funding, t, rng);
  return {
    inputs: { ...inputs, base: base.columns, decision: decision.columns, context: context?.columns, funding: funding.columns },
    counts: { base: base.changed, decision: decision.changed, context: context?.changed ?? 0, funding: funding.changed },
  };
}

function perturbCandles(candles: CandleColumns, interval: Interval, t: number, rng: Rng): { columns: CandleColumns; changed: number } {
  const ms = intervalMs(interval);
  const open = candles.open.slice();
  const high = candles.high.slice();
  const low = candles.low.slice();
  const close = candles.close.slice();
  const volume = candles.volume.slice();
  let changed = 0;
  for (let i = 0; i < candles.length; i++) {
    if (candles.openTime[i]! + ms <= t) continue;
    // Open and close move independently (a few percent), then the range widens to hold them both.
    open[i] = open[i]! * Math.exp(0.02 * rng.normal());
    close[i] = close[i]! * Math.exp(0.02 * rng.normal());
    high[i] = Math.max(high[i]!, open[i]!, close[i]!) * (1 + 0.005 * rng.next());
    low[i] = Math.min(low[i]!, open[i]!, close[i]!) * (1 - 0.005 * rng.next());
    volume[i] = volume[i]! * Math.exp(0.5 * rng.normal());
    changed++;
  }
  // Optional columns (trade counts, taker volumes) are left out: the engine does not read them.
  return { columns: { length: candles.length, openTime: candles.openTime, open, high, low, close, volume }, changed };
}

function perturbFunding(funding: FundingColumns, t: number, rng: Rng): { columns: FundingColumns; changed: number } {
  const rate = funding.rate.slice();
  const markPrice = funding.markPrice?.slice();
  let changed = 0;
  for (let k = 0; k < funding.length; k++) {
    if (funding.fundingTime[k]! <= t) continue;
    rate[k] = rate[k]! + 0.0005 * rng.normal();
    if (markPrice) markPrice[k] = markPrice[k]! * Math.exp(0.02 * rng.normal());
    changed++;
  }
  return { columns: { length: funding.length, fundingTime: funding.fundingTime, rate, ...(markPrice ? { markPrice } : {}) }, changed };
}
