import { inputError, XylenError } from '../../engine/index.ts';
import { backtestOverfitting, type BacktestOverfitting } from '../metrics/backtestOverfitting.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { deflatedSharpeRatio } from '../metrics/deflatedSharpe.ts';
import { probabilisticSharpeRatio, sharpeMoments } from '../metrics/probabilisticSharpe.ts';
import { periodsPerYear, sharpeRatio } from '../metrics/returnRatios.ts';
import type { StoredSweepResult } from './sweepTables.ts';

/** Metrics where less is better; every other one ranks high first. */
const LOWER_IS_BETTER = new Set(['maxDrawdown', 'maxDrawdownDurationMs', 'volatility', 'fees', 'fundingPaid', 'turnover', 'turnoverAnnualised']);

/** The metrics a sweep can be ranked by: the numeric ones of a run's report. */
export const RANKABLE_METRICS = [
  'sharpe',
  'sortino',
  'calmar',
  'totalReturn',
  'cagr',
  'maxDrawdown',
  'maxDrawdownDurationMs',
  'volatility',
  'winRate',
  'profitFactor',
  'expectancy',
  'trades',
  'exposure',
  'turnover',
  'fees',
] as const;

/** A metric name as typed (`sharpe`, `total_return`, `totalReturn`) → the RunMetrics key, or an input error listing them. */
export function rankMetric(name: string, where = '--by'): keyof RunMetrics {
  const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  if ((RANKABLE_METRICS as readonly string[]).includes(camel)) return camel as keyof RunMetrics;
  throw inputError('BAD_METRIC', `cannot rank by "${name}"`, { where, hint: `use one of ${RANKABLE_METRICS.join(', ')}` });
}

/** Results best first by `by`; results where the metric is undefined (null) come last, in grid order. */
export function rankResults<T extends Pick<StoredSweepResult, 'metrics' | 'index'>>(results: readonly T[], by: string): T[] {
  const key = rankMetric(by);
  const sign = LOWER_IS_BETTER.has(key) ? 1 : -1;
  const value = (r: T) => {
    const v = r.metrics[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  return [...results].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? a.index - b.index : va === null ? 1 : -1;
    return va === vb ? a.index - b.index : sign * (va - vb);
  });
}

export interface RankedConfig {
  rank: number;
  hash: string;
  index: number;
  params: Record<string, unknown>;
  metrics: RunMetrics;
  /** The ranking metric's value. */
  value: number | null;
  /** Annualised Sharpe ratio of the per-period returns the sweep stored (the series PBO and DSR read). */
  periodSharpe: number | null;
  /** Probability that this config's true Sharpe beats 0 (PSR), and the best of the sweep's trials by luck (DSR). */
  psr: number | null;
  dsr: number | null;
  runId: string | null;
}

export interface SweepSummary {
  by: keyof RunMetrics;
  /** Results stored, i.e. the number of trials DSR deflates for. */
  trials: number;
  top: RankedConfig[];
  /** DSR's benchmark: the Sharpe (annualised) the best of `trials` unskilled configurations would reach. */
  expectedMaxSharpe: number | null;
  pbo: (Pick<BacktestOverfitting, 'pbo' | 'lossProbability' | 'slope' | 'intercept'> & { partitions: number; splits: number }) | null;
  /** Why PBO could not be computed (too few configurations or periods), when it could not. */
  pboUnavailable: string | null;
  warnings: string[];
}

export interface SummarizeOptions {
  by?: string;
  n?: number;
  /** CSCV blocks for PBO (even, 2–24); default 16. */
  partitions?: number;
  periodMs: number;
}

/**
 * The best configurations of a sweep by a metric, each with its Deflated Sharpe Ratio across all of the sweep's trials
 * (Bailey & López de Prado 2014), and the sweep's Probability of Backtest Overfitting by CSCV over every
 * configuration's per-period returns (Bailey, Borwein, López de Prado & Zhu 2017). `results` must carry `returns`.
 */
export function summarizeSweep(results: readonly StoredSweepResult[], options: SummarizeOptions): SweepSummary {
  return analyzeSweep(results, options).summary;
}

/** `summarizeSweep`, with the whole CSCV analysis behind its PBO (null when PBO is unavailable), for the report's charts. */
export function analyzeSweep(results: readonly StoredSweepResult[], options: SummarizeOptions): { summary: SweepSummary; overfitting: BacktestOverfitting | null } {
  const by = rankMetric(options.by ?? 'sharpe');
  const perYear = periodsPerYear(options.periodMs);
  const returns = results.map((r) => {
    if (!r.returns) throw new TypeError('summarizeSweep needs the results with their returns');
    return r.returns;
  });
  // Per-period (not annualised) Sharpe of every trial; a config that never moved scores 0, as in CSCV.
  const trialSharpes = Float64Array.from(returns, (r) => sharpeRatio(r, 1) ?? 0);
  const warnings: string[] = [];

  let expectedMax: number | null = null;
  const top = rankResults(results, by)
    .slice(0, options.n ?? 10)
    .map((r, i): RankedConfig => {
      const moments = sharpeMoments(r.returns!);
      const deflated = moments ? deflatedSharpeRatio(moments, trialSharpes) : null;
      if (deflated) expectedMax = deflated.benchmark * Math.sqrt(perYear);
      const value = r.metrics[by];
      return {
        rank: i + 1,
        hash: r.hash,
        index: r.index,
        params: r.params,
        metrics: r.metrics,
        value: typeof value === 'number' ? value : null,
        periodSharpe: moments ? moments.sharpe * Math.sqrt(perYear) : null,
        psr: moments ? probabilisticSharpeRatio(moments, 0) : null,
        dsr: deflated ? deflated.dsr : null,
        runId: r.runId,
      };
    });

  let pbo: SweepSummary['pbo'] = null;
  let pboUnavailable: string | null = null;
  let overfitting: BacktestOverfitting | null = null;
  try {
    const partitions = options.partitions ?? 16;
    const analysis = backtestOverfitting(returns, { partitions, perYear });
    overfitting = analysis;
    pbo = { pbo: analysis.pbo, lossProbability: analysis.lossProbability, slope: analysis.slope, intercept: analysis.intercept, partitions, splits: analysis.logits.length };
    if (analysis.pbo > 0.5) {
      warnings.push(
        `PBO is ${analysis.pbo.toFixed(2)} (> 0.5): the configuration that looks best in sample ranks in the bottom half out of sample more often than not — the top of this table is more likely luck than skill`,
      );
    }
  } catch (error) {
    if (!(error instanceof XylenError)) throw error;
    pboUnavailable = error.message;
  }
  const best = top[0];
  if (best && best.dsr !== null && best.dsr < 0.95) {
    warnings.push(`the best configuration's DSR is ${best.dsr.toFixed(2)} (< 0.95): its Sharpe ratio is not significant once the ${results.length} trials are accounted for`);
  }
  return { summary: { by, trials: results.length, top, expectedMaxSharpe: expectedMax, pbo, pboUnavailable, warnings }, overfitting };
}
