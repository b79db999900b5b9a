import { inputError, Rng } from '../../engine/index.ts';
import { sharpeRatio } from './returnRatios.ts';
import { checkBootstrapOptions, quantile, stationaryResample } from './stationaryBootstrap.ts';

export interface PairedBootstrapOptions {
  /** Seed of the resampling; the same seed gives the same result. */
  seed: number;
  /** Confidence level of the two-sided interval of the difference. Default 0.95. */
  level?: number;
  /** Number of bootstrap resamples. Default 2000. */
  resamples?: number;
  /** Mean block length of the stationary bootstrap, in periods. Default round(√T). 1 is the plain iid bootstrap. */
  blockLength?: number;
  /** Periods per year, to annualise as sharpeRatio does. Default 1: per period. */
  perYear?: number;
}

export interface SharpeDifference {
  /** Sample Sharpe ratios of the two series and their difference a − b (annualised with `perYear`). */
  sharpeA: number;
  sharpeB: number;
  difference: number;
  /** Percentile interval [lo, hi] of the difference at `level`. */
  lo: number;
  hi: number;
  level: number;
  /**
   * Two-sided p-value of "no difference": the share of resampled differences at least as far from the sample
   * difference as the sample difference is from 0, (1 + #{|d* − d| ≥ |d|}) / (1 + resamples).
   */
  pValue: number;
  /** Resamples where both Sharpe ratios were defined (a resample without variation has none and is left out). */
  resamples: number;
  blockLength: number;
  periods: number;
}

/**
 * Is the Sharpe ratio of strategy a really different from that of b, or is the gap luck? A paired stationary
 * bootstrap (Politis & Romano 1994) over returns aligned period by period: each resample draws the *same* blocks of
 * periods from both series, so the correlation between the two strategies (same market, often the same trades) is
 * kept, and so is each one's serial dependence. The interval is the percentile interval of the resampled differences;
 * the p-value is the centred bootstrap p-value of Ledoit & Wolf (2008, "Robust performance hypothesis testing with
 * the Sharpe ratio", §3.2, without their studentisation). null when either sample Sharpe ratio is undefined.
 */
export function pairedBootstrapSharpe(a: ArrayLike<number>, b: ArrayLike<number>, options: PairedBootstrapOptions): SharpeDifference | null {
  const periods = a.length;
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 2000;
  const blockLength = options.blockLength ?? Math.max(1, Math.round(Math.sqrt(periods)));
  const perYear = options.perYear ?? 1;
  validate(a, b, level, resamples, blockLength);
  const sharpeA = sharpeRatio(a, perYear);
  const sharpeB = sharpeRatio(b, perYear);
  if (sharpeA === null || sharpeB === null) return null;
  const difference = sharpeA - sharpeB;

  const rng = new Rng(options.seed);
  const at = new Int32Array(periods);
  const sampleA = new Float64Array(periods);
  const sampleB = new Float64Array(periods);
  const differences: number[] = [];
  for (let r = 0; r < resamples; r++) {
    stationaryResample(rng, blockLength, at);
    for (let t = 0; t < periods; t++) {
      sampleA[t] = a[at[t]!]!;
      sampleB[t] = b[at[t]!]!;
    }
    const resampledA = sharpeRatio(sampleA, perYear);
    const resampledB = sharpeRatio(sampleB, perYear);
    if (resampledA !== null && resampledB !== null) differences.push(resampledA - resampledB);
  }
  let asFar = 0;
  for (const d of differences) if (Math.abs(d - difference) >= Math.abs(difference)) asFar++;
  differences.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return {
    sharpeA,
    sharpeB,
    difference,
    lo: quantile(differences, tail),
    hi: quantile(differences, 1 - tail),
    level,
    pValue: (1 + asFar) / (1 + differences.length),
    resamples: differences.length,
    blockLength,
    periods,
  };
}

function validate(a: ArrayLike<number>, b: ArrayLike<number>, level: number, resamples: number, blockLength: number): void {
  if (a.length !== b.length) {
    throw inputError('RETURNS_NOT_ALIGNED', `the two return series have ${a.length} and ${b.length} periods`, {
      where: 'returns',
      hint: 'align the two runs period by period (the same timestamps) before comparing them',
    });
  }
  if (a.length < 2) {
    throw inputError('TOO_FEW_RETURNS', `a Sharpe ratio difference needs at least 2 aligned returns, got ${a.length}`, {
      where: 'returns',
      hint: 'the two runs share too few periods: compare runs over the same period',
    });
  }
  for (const [name, series] of [['a', a] as const, ['b', b] as const]) {
    for (let t = 0; t < series.length; t++) {
      if (!Number.isFinite(series[t])) {
        throw inputError('BAD_RETURN', `return ${t} of series ${name} is ${series[t]}`, { where: `${name}[${t}]`, hint: 'returns must be finite numbers' });
      }
    }
  }
  checkBootstrapOptions(level, resamples, blockLength, a.length);
}
