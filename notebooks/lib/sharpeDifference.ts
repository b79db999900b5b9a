import { Rng } from '../../engine/index.ts';
import { sharpeRatio } from '../../research/index.ts';

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
 * same periods: each resample draws the same blocks of periods from both series, so what the two have in common (the
 * market they both traded) stays paired, and the blocks keep the serial dependence. research's `bootstrapSharpe` does
 * this for one series; a comparison needs both resampled together.
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
  const ra = new Float64Array(periods);
  const rb = new Float64Array(periods);
  const differences: number[] = [];
  let better = 0;
  for (let k = 0; k < resamples; k++) {
    let at = 0;
    for (let t = 0; t < periods; t++) {
      at = t === 0 || rng.next() < 1 / blockLength ? Math.floor(rng.next() * periods) : (at + 1) % periods;
      ra[t] = a[at]!;
      rb[t] = b[at]!;
    }
    const x = sharpeRatio(ra, perYear);
    const y = sharpeRatio(rb, perYear);
    if (x === null || y === null) continue;
    differences.push(x - y);
    if (x > y) better++;
  }
  differences.sort((p, q) => p - q);
  const tail = (1 - (options.level ?? 0.95)) / 2;
  const quantile = (q: number) => {
    const pos = q * (differences.length - 1);
    const lo = Math.floor(pos);
    return differences[lo]! + (differences[Math.min(lo + 1, differences.length - 1)]! - differences[lo]!) * (pos - lo);
  };
  return { difference: sa - sb, lo: quantile(tail), hi: quantile(1 - tail), aBetter: better / differences.length, resamples: differences.length };
}
