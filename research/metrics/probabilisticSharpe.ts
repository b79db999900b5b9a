import { sharpeRatio } from './returnRatios.ts';
import { normalCdf } from './normalDistribution.ts';

/** What the Probabilistic Sharpe Ratio needs to know about a return series. */
export interface SharpeMoments {
  /** Number of returns. */
  count: number;
  /** Per-period Sharpe ratio, not annualised: mean / sd with n − 1. */
  sharpe: number;
  /** Skewness γ3 = m3 / m2^1.5 (population moments, as scipy.stats.skew). */
  skewness: number;
  /** Kurtosis γ4 = m4 / m2² (not excess: 3 for a normal; population moments, as scipy.stats.kurtosis(fisher=False)). */
  kurtosis: number;
}

/** Sharpe, skewness and kurtosis of per-period returns; null when the Sharpe ratio is undefined (see sharpeRatio). */
export function sharpeMoments(returns: ArrayLike<number>): SharpeMoments | null {
  const sharpe = sharpeRatio(returns, 1);
  if (sharpe === null) return null;
  const n = returns.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += returns[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  return { count: n, sharpe, skewness: m3 / n / m2 ** 1.5, kurtosis: m4 / n / (m2 * m2) };
}

/**
 * Probabilistic Sharpe Ratio (Bailey & López de Prado 2012, "The Sharpe Ratio Efficient Frontier", eq. 11): the
 * probability that the true Sharpe ratio exceeds `benchmark` (per period, like moments.sharpe), given the estimate's
 * sample length and the returns' skewness and fat tails:
 * PSR = Φ( (SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²) ).
 */
export function probabilisticSharpeRatio(moments: SharpeMoments, benchmark = 0): number {
  const { count, sharpe, skewness, kurtosis } = moments;
  // Never negative for real moments (γ4 ≥ 1 + γ3² makes it ≥ (1 − γ3·SR/2)²), but rounding can push it a hair below 0.
  const spread = Math.sqrt(Math.max(0, 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe));
  const distance = (sharpe - benchmark) * Math.sqrt(count - 1);
  // A zero spread (a two-point distribution at the bound) makes the estimate certain: PSR is 0 or 1, and 0.5 at a tie.
  return normalCdf(distance === 0 ? 0 : distance / spread);
}
