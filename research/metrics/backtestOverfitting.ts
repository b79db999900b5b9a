import { inputError } from '../../engine/index.ts';

export interface BacktestOverfittingOptions {
  /** S, the number of contiguous blocks the periods are cut into; even, 2..24. Default 16 (12,870 splits). */
  partitions?: number;
  /** Periods per year, to annualise the reported Sharpe ratios (ranks do not depend on it). Default 1: per period. */
  perYear?: number;
}

export interface BacktestOverfitting {
  /** Probability of Backtest Overfitting: the share of splits whose in-sample best ranks in the lower half out of sample (λ ≤ 0). */
  pbo: number;
  /** Share of splits whose in-sample best loses money out of sample (Sharpe < 0). */
  lossProbability: number;
  /**
   * One entry per split, splits ordered by their in-sample block set read as a bit mask (bit s = block s), ascending:
   * the configuration (column index) best in sample, its in-sample and out-of-sample Sharpe ratios (the PBO scatter),
   * and the logit λ = ln(ω̄ / (1 − ω̄)) of its relative out-of-sample rank ω̄ = rank / (N + 1).
   */
  selected: Int32Array;
  inSample: Float64Array;
  outOfSample: Float64Array;
  logits: Float64Array;
  /** Performance degradation: OLS fit outOfSample ≈ intercept + slope · inSample; null when in-sample Sharpe never varies. */
  slope: number | null;
  intercept: number | null;
}

/**
 * Probability of Backtest Overfitting by combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado
 * & Zhu 2017, "The Probability of Backtest Overfitting"). `configReturns` is the T × N matrix by columns: one array of
 * T per-period returns for each of the N configurations tried. The T periods are cut into S contiguous blocks; each
 * of the C(S, S/2) ways to take half the blocks as in-sample (the rest, in their order, out of sample) picks the
 * configuration with the best in-sample Sharpe ratio and ranks its out-of-sample Sharpe among all N (1 = worst;
 * ties share the average rank). A configuration whose returns do not vary in a sample scores Sharpe 0 there.
 */
export function backtestOverfitting(configReturns: readonly ArrayLike<number>[], options: BacktestOverfittingOptions = {}): BacktestOverfitting {
  const partitions = options.partitions ?? 16;
  const annualise = Math.sqrt(options.perYear ?? 1);
  const configs = configReturns.length;
  const periods = configReturns[0]?.length ?? 0;
  validate(configReturns, partitions, periods);

  // Per block and configuration: count, and sum and sum of squares of the returns minus the configuration's overall
  // mean (the shift keeps the variance from cancelling catastrophically and does not change it).
  const counts = new Float64Array(partitions);
  const sums = new Float64Array(partitions * configs);
  const squares = new Float64Array(partitions * configs);
  const means = new Float64Array(configs);
  for (let s = 0; s < partitions; s++) counts[s] = blockStart(s + 1, periods, partitions) - blockStart(s, periods, partitions);
  for (let j = 0; j < configs; j++) {
    const column = configReturns[j]!;
    let total = 0;
    for (let t = 0; t < periods; t++) total += column[t]!;
    means[j] = total / periods;
    for (let s = 0; s < partitions; s++) {
      let sum = 0;
      let square = 0;
      for (let t = blockStart(s, periods, partitions); t < blockStart(s + 1, periods, partitions); t++) {
        const d = column[t]! - means[j]!;
        sum += d;
        square += d * d;
      }
      sums[s * configs + j] = sum;
      squares[s * configs + j] = square;
    }
  }

  const sharpeOver = (mask: number, j: number): number => {
    let n = 0;
    let sum = 0;
    let square = 0;
    for (let s = 0; s < partitions; s++) {
      if ((mask & (1 << s)) === 0) continue;
      n += counts[s]!;
      sum += sums[s * configs + j]!;
      square += squares[s * configs + j]!;
    }
    const variance = (square - (sum * sum) / n) / (n - 1);
    return variance > 0 ? ((sum / n + means[j]!) / Math.sqrt(variance)) * annualise : 0;
  };

  const full = (1 << partitions) - 1;
  const half = partitions / 2;
  const splits = binomial(partitions, half);
  const selected = new Int32Array(splits);
  const inSample = new Float64Array(splits);
  const outOfSample = new Float64Array(splits);
  const logits = new Float64Array(splits);
  const oos = new Float64Array(configs);
  let split = 0;
  for (let mask = 0; mask <= full; mask++) {
    if (popcount(mask) !== half) continue;
    let best = 0;
    let bestSharpe = -Infinity;
    for (let j = 0; j < configs; j++) {
      const sharpe = sharpeOver(mask, j);
      if (sharpe > bestSharpe) {
        bestSharpe = sharpe;
        best = j;
      }
      oos[j] = sharpeOver(full ^ mask, j);
    }
    let below = 0;
    let tied = 0;
    for (let j = 0; j < configs; j++) {
      if (oos[j]! < oos[best]!) below++;
      else if (oos[j] === oos[best] && j !== best) tied++;
    }
    const relativeRank = (1 + below + tied / 2) / (configs + 1);
    selected[split] = best;
    inSample[split] = bestSharpe;
    outOfSample[split] = oos[best]!;
    logits[split] = Math.log(relativeRank / (1 - relativeRank));
    split++;
  }
  return {
    pbo: share(logits, (l) => l <= 0),
    lossProbability: share(outOfSample, (r) => r < 0),
    selected,
    inSample,
    outOfSample,
    logits,
    ...olsFit(inSample, outOfSample),
  };
}

function validate(configReturns: readonly ArrayLike<number>[], partitions: number, periods: number): void {
  if (!Number.isInteger(partitions) || partitions < 2 || partitions > 24 || partitions % 2 !== 0) {
    throw inputError('BAD_PARTITIONS', `the number of CSCV partitions must be an even integer from 2 to 24, got ${partitions}`, {
      where: 'partitions',
      hint: 'the paper uses 16 (12,870 splits)',
    });
  }
  if (configReturns.length < 2) {
    throw inputError('TOO_FEW_CONFIGS', `PBO compares configurations and needs at least 2, got ${configReturns.length}`, {
      where: 'configReturns',
      hint: 'pass the per-period returns of every configuration the sweep tried',
    });
  }
  if (periods < 2 * partitions) {
    throw inputError('TOO_FEW_PERIODS', `${periods} periods cannot be cut into ${partitions} blocks of at least 2`, {
      where: 'configReturns',
      hint: 'use fewer partitions or a longer (or finer-grained) return series',
    });
  }
  configReturns.forEach((column, j) => {
    if (column.length !== periods) {
      throw inputError('RAGGED_RETURNS', `configuration ${j} has ${column.length} returns, configuration 0 has ${periods}`, {
        where: `configReturns[${j}]`,
        hint: 'all configurations must be measured over the same periods',
      });
    }
    for (let t = 0; t < periods; t++) {
      if (!Number.isFinite(column[t])) {
        throw inputError('BAD_RETURN', `return ${t} of configuration ${j} is ${column[t]}`, {
          where: `configReturns[${j}][${t}]`,
          hint: 'returns must be finite numbers; use 0 for a period without a position',
        });
      }
    }
  });
}

/** First period of block `s` (of `partitions`); block sizes differ by at most one. */
const blockStart = (s: number, periods: number, partitions: number): number => Math.floor((s * periods) / partitions);

function popcount(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function share(values: Float64Array, test: (value: number) => boolean): number {
  let count = 0;
  for (const value of values) if (test(value)) count++;
  return count / values.length;
}

function olsFit(x: Float64Array, y: Float64Array): { slope: number | null; intercept: number | null } {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < x.length; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= x.length;
  my /= y.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  if (!(sxx > 0)) return { slope: null, intercept: null };
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
