import { Rng } from '../../engine/index.ts';
import { quantile, sharpeRatio, stationaryResample } from '../../research/index.ts';

export interface SharpeDifference {
  /** Sharpe(a) − Sharpe(b) on the sample. */
  difference: number;
  /** Percentile interval of the resampled differences. */
  lo: number;
  hi: number;
  /** Share of resamples in which a's Sharpe beat b's. */
  aBetter: number;
  resamples: number;
}

/**
 * Paired stationary bootstrap (Politis & Romano 1994) of the difference between two strategies' Sharpe ratios over the
 * same periods: research's `pairedBootstrapSharpe`, with the same resampler (the same seed draws the same blocks, so
 * the same interval), plus the share of resamples in which a's Sharpe beat b's, which the notebooks print and it does
 * not report. Series of different lengths are compared over the shorter one's periods.
 */
export function sharpeDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { seed: number; resamples?: number; blockLength?: number; perYear?: number; level?: number },
): SharpeDifference | null {
  const periods = Math.min(a.length, b.length);
  const perYear = options.perYear ?? 1;
  const resamples = options.resamples ?? 2000;
  const blockLength = options.blockLength ?? Math.max(1, Math.round(Math.sqrt(periods)));
  const sa = sharpeRatio(Array.from({ length: periods }, (_, t) => a[t]!), perYear);
  const sb = sharpeRatio(Array.from({ length: periods }, (_, t) => b[t]!), perYear);
  if (sa === null || sb === null) return null;
  const rng = new Rng(options.seed);
  const at = new Int32Array(periods);
  const ra = new Float64Array(periods);
  const rb = new Float64Array(periods);
  const differences: number[] = [];
  let better = 0;
  for (let k = 0; k < resamples; k++) {
    stationaryResample(rng, blockLength, at);
    for (let t = 0; t < periods; t++) {
      ra[t] = a[at[t]!]!;
      rb[t] = b[at[t]!]!;
    }
    const x = sharpeRatio(ra, perYear);
    const y = sharpeRatio(rb, perYear);
    if (x === null || y === null) continue;
    differences.push(x - y);
    if (x > y) better++;
  }
  differences.sort((p, q) => p - q);
  const tail = (1 - (options.level ?? 0.95)) / 2;
  return { difference: sa - sb, lo: quantile(differences, tail), hi: quantile(differences, 1 - tail), aBetter: better / differences.length, resamples: differences.length };
}
