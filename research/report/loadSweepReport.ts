import type { Store } from '../../data/index.ts';
import { inputError } from '../../engine/index.ts';
import type { BacktestOverfitting } from '../metrics/backtestOverfitting.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { analyzeSweep, rankMetric, type SweepSummary } from '../sweep/summarizeSweep.ts';
import { getSweep, sweepResults, type StoredSweep, type StoredSweepResult } from '../sweep/sweepTables.ts';

export interface SweepReportOptions {
  /** Rank the results table by this metric (default sharpe). */
  by?: string;
  /** Rows of the results table (default 20). */
  top?: number;
  /** CSCV blocks for PBO (default 16). */
  partitions?: number;
  /** Heatmap axes (grid keys) and colour metric; defaults: the two keys with the most values, and `by`. */
  x?: string;
  y?: string;
  metric?: string;
}

export interface SweepAxis {
  key: string;
  values: unknown[];
}

export interface SweepReportData {
  sweep: StoredSweep;
  results: StoredSweepResult[];
  summary: SweepSummary;
  /** The CSCV analysis behind PBO (for the in-sample vs out-of-sample scatter and the logit histogram), or null. */
  overfitting: BacktestOverfitting | null;
  partitions: number;
  /** The grid's axes, in file order. */
  axes: SweepAxis[];
  /** The heatmap's axes (null when the grid has fewer than two keys with more than one value) and its metric. */
  heatmap: { x: SweepAxis; y: SweepAxis | null; metric: keyof RunMetrics } | null;
}

/**
 * A stored sweep with its results, summary (top N with PSR and DSR) and the CSCV analysis of its return series.
 * A sweep with no stored result yet has nothing to report (an input error). One still running, or interrupted, is
 * reported as far as it got (the page says so).
 */
export async function loadSweepReport(store: Store, idOrName: string, options: SweepReportOptions = {}): Promise<SweepReportData> {
  const sweep = await getSweep(store, idOrName);
  const results = await sweepResults(store, sweep.sweepId, { returns: true });
  if (results.length === 0) {
    throw inputError('SWEEP_EMPTY', `sweep ${sweep.sweepId} (${sweep.name}, ${sweep.status}) has no stored result to report`, {
      where: 'SWEEP',
      hint: sweep.status === 'failed' ? `it failed${sweep.message ? `: ${sweep.message}` : ''}; rerun it` : 'rerun the sweep command to resume it, or wait for its first results',
    });
  }
  const by = rankMetric(options.by ?? 'sharpe', '--by');
  const metric = rankMetric(options.metric ?? by, '--metric');
  const partitions = options.partitions ?? 16;
  const { summary, overfitting } = analyzeSweep(results, { by, n: options.top ?? 20, partitions, periodMs: sweep.periodMs });

  const axes = sweep.grid.axes.map((a) => ({ key: a.key, values: a.values }));
  return { sweep, results, summary, overfitting, partitions, axes, heatmap: chooseHeatmap(axes, options, metric) };
}

/** The two axes with the most values (file order breaks ties), unless --x/--y name them. */
function chooseHeatmap(axes: SweepAxis[], options: SweepReportOptions, metric: keyof RunMetrics): SweepReportData['heatmap'] {
  const find = (key: string, flag: string) => {
    const axis = axes.find((a) => a.key === key);
    if (!axis) {
      throw inputError('BAD_SWEEP_PARAM', `the sweep has no grid key "${key}"`, {
        where: flag,
        hint: axes.length > 0 ? `its keys: ${axes.map((a) => a.key).join(', ')}` : 'this sweep has no grid keys',
      });
    }
    return axis;
  };
  const x = options.x !== undefined ? find(options.x, '--x') : undefined;
  const y = options.y !== undefined ? find(options.y, '--y') : undefined;
  if (x && y && x.key === y.key) throw inputError('BAD_SWEEP_PARAM', `--x and --y are both "${x.key}"`, { where: '--y', hint: 'choose two different grid keys' });
  const varying = axes.filter((a) => a.values.length > 1).sort((a, b) => b.values.length - a.values.length);
  const rest = varying.filter((a) => a !== x && a !== y);
  const chosenX = x ?? rest.shift();
  const chosenY = y ?? rest.shift() ?? null;
  if (!chosenX) return null;
  return { x: chosenX, y: chosenY, metric };
}
