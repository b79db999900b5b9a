import { inputError } from '../../engine/index.ts';
import { inverseNormalCdf } from './normalDistribution.ts';
import { probabilisticSharpeRatio, type SharpeMoments } from './probabilisticSharpe.ts';
import { standardDeviation } from './returnRatios.ts';

const EULER_MASCHERONI = 0.5772156649015329;

/**
 * The Sharpe ratio the best of `trials` unskilled trials is expected to reach (Bailey & López de Prado 2014,
 * "The Deflated Sharpe Ratio", eq. 2, from the False Strategy theorem):
 * SR* = √V · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))), V the variance of the trials' Sharpe ratios.
 * The formula is an asymptotic one and degenerates at N = 1 (Φ⁻¹(0) = −∞ makes SR* = −∞, or NaN when V = 0);
 * a single trial involves no selection, so it returns 0 there, and the DSR of one trial is PSR(0).
 */
export function expectedMaxSharpe(trialSharpeVariance: number, trials: number): number {
  if (!Number.isInteger(trials) || trials < 1) {
    throw inputError('BAD_TRIAL_COUNT', `the number of trials must be a positive integer, got ${trials}`, {
      where: 'trials',
      hint: 'count every configuration that was tried, including the ones that were discarded',
    });
  }
  if (!(trialSharpeVariance >= 0) || !Number.isFinite(trialSharpeVariance)) {
    throw inputError('BAD_SHARPE_VARIANCE', `the variance of the trials' Sharpe ratios must be finite and ≥ 0, got ${trialSharpeVariance}`, {
      where: 'trialSharpeVariance',
      hint: 'pass the variance of the per-period (not annualised) Sharpe ratios of all trials',
    });
  }
  if (trials === 1) return 0;
  const quantiles = (1 - EULER_MASCHERONI) * inverseNormalCdf(1 - 1 / trials) + EULER_MASCHERONI * inverseNormalCdf(1 - 1 / (trials * Math.E));
  return Math.sqrt(trialSharpeVariance) * quantiles;
}

export interface DeflatedSharpe {
  /** Probability that the selected strategy's true Sharpe ratio beats the best that luck alone would give. */
  dsr: number;
  /** The deflating benchmark SR*, per period. */
  benchmark: number;
  /** N and V as used: the number of trials and the sample variance (n − 1) of their Sharpe ratios. */
  trials: number;
  trialSharpeVariance: number;
}

/**
 * Deflated Sharpe Ratio of the selected strategy (`moments`, per period) among all trials' per-period Sharpe ratios
 * (the selected one included): DSR = PSR(SR*) with SR* = expectedMaxSharpe(V, N).
 */
export function deflatedSharpeRatio(moments: SharpeMoments, trialSharpes: ArrayLike<number>): DeflatedSharpe {
  const trials = trialSharpes.length;
  const trialSharpeVariance = trials > 1 ? standardDeviation(trialSharpes) ** 2 : 0;
  const benchmark = expectedMaxSharpe(trialSharpeVariance, trials);
  return { dsr: probabilisticSharpeRatio(moments, benchmark), benchmark, trials, trialSharpeVariance };
}
