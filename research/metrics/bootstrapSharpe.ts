import { inputError, Rng } from '../../engine/index.ts';
import { sharpeRatio } from './returnRatios.ts';
import { checkBootstrapOptions, quantile, stationaryResample } from './stationaryBootstrap.ts';

export interface BootstrapSharpeOptions {
  /** Seed of the resampling; the same seed gives the same interval. */
  seed: number;
  /** Confidence level of the two-sided interval. Default 0.95. */
  level?: number;
  /** Number of bootstrap resamples. Default 2000. */
  resamples?: number;
  /** Mean block length of the stationary bootstrap, in periods. Default round(√T). 1 is the plain iid bootstrap. */
  blockLength?: number;
  /** Periods per year, to annualise as sharpeRatio does. Default 1: per period. */
  perYear?: number;
}

export interface SharpeInterval {
  /** The sample Sharpe ratio of the returns. */
  sharpe: number;
  /** Percentile interval [lo, hi] at `level`. */
  lo: number;
  hi: number;
  level: number;
  /** Resamples that had a Sharpe ratio (a resample without any variation has none and is left out). */
  resamples: number;
  blockLength: number;
}

/**
 * Bootstrap confidence interval for the Sharpe ratio by the stationary bootstrap (Politis & Romano 1994): a
 * resample strings together blocks of consecutive returns that start at uniform random periods and have geometric
 * lengths of mean `blockLength`, wrapping around the end, so it keeps the serial dependence (volatility clusters) that
 * an iid bootstrap would destroy. The interval is the percentile one (quantiles of the resampled Sharpe ratios,
 * linearly interpolated). null when the sample Sharpe ratio itself is undefined.
 */
export function bootstrapSharpe(returns: ArrayLike<number>, options: BootstrapSharpeOptions): SharpeInterval | null {
  const periods = returns.length;
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 2000;
  const blockLength = options.blockLength ?? Math.max(1, Math.round(Math.sqrt(periods)));
  const perYear = options.perYear ?? 1;
  validate(returns, level, resamples, blockLength);
  const sharpe = sharpeRatio(returns, perYear);
  if (sharpe === null) return null;

  const rng = new Rng(options.seed);
  const at = new Int32Array(periods);
  const sample = new Float64Array(periods);
  const sharpes: number[] = [];
  for (let b = 0; b < resamples; b++) {
    stationaryResample(rng, blockLength, at);
    for (let t = 0; t < periods; t++) sample[t] = returns[at[t]!]!;
    const resampled = sharpeRatio(sample, perYear);
    if (resampled !== null) sharpes.push(resampled);
  }
  sharpes.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { sharpe, lo: quantile(sharpes, tail), hi: quantile(sharpes, 1 - tail), level, resamples: sharpes.length, blockLength };
}

function validate(returns: ArrayLike<number>, level: number, resamples: number, blockLength: number): void {
  if (returns.length < 2) {
    throw inputError('TOO_FEW_RETURNS', `a Sharpe ratio interval needs at least 2 returns, got ${returns.length}`, {
      where: 'returns',
      hint: 'pass the per-period returns of the run',
    });
  }
  for (let t = 0; t < returns.length; t++) {
    if (!Number.isFinite(returns[t])) {
      throw inputError('BAD_RETURN', `return ${t} is ${returns[t]}`, { where: `returns[${t}]`, hint: 'returns must be finite numbers' });
    }
  }
  checkBootstrapOptions(level, resamples, blockLength, returns.length);
}
