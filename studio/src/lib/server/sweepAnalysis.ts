import type { Store } from '../../../../data/index.ts';
import { inputError } from '../../../../engine/index.ts';
import { loadSweepReport, type RankedConfig, type SweepSummary } from '../../../../research/index.ts';
import { paramText } from '../format.ts';
import { HEATMAP_METRICS } from '../metricsCatalog.ts';
import { RunSeriesCache } from './RunSeriesCache.ts';

/** Splits drawn one by one up to this many; above it the in-sample/out-of-sample scatter is binned (as the HTML report does). */
export const SCATTER_POINTS_MAX = 1500;
const SCATTER_BINS = 36;
const LOGIT_BINS = 30;

export interface HeatmapRequest {
  x?: string | null;
  y?: string | null;
  metric?: string | null;
}

export interface Heatmap {
  x: { key: string; values: string[] };
  /** Null when the grid has one key with more than one value: the chart is then the metric against x. */
  y: { key: string; values: string[] } | null;
  metric: string;
  /** One cell per (x, y) pair holding results: the mean, min and max of the metric, and how many results. */
  cells: { x: string; y: string | null; mean: number; min: number; max: number; n: number; best: number }[];
  /** Grid keys with more than one value besides x and y: the cells average over them. */
  others: { key: string; values: number }[];
}

export interface Overfitting {
  pbo: number;
  lossProbability: number;
  slope: number | null;
  intercept: number | null;
  partitions: number;
  splits: number;
  /** In-sample vs out-of-sample Sharpe of each split's in-sample best: every split, or bins when there are many. */
  scatter:
    | { kind: 'points'; points: { is: number; oos: number; config: number; logit: number }[] }
    | { kind: 'bins'; bins: { x1: number; x2: number; y1: number; y2: number; count: number }[]; maxCount: number };
  /** The logits λ in bins whose edges include 0 (so each bin is wholly at or below 0, or above). */
  logits: { x1: number; x2: number; count: number; share: number }[];
  /** Configurations most often best in sample, by grid index. */
  chosen: { index: number; count: number; share: number; params: Record<string, string> }[];
}

export interface SweepAnalysis {
  sweepId: string;
  trials: number;
  summary: Pick<SweepSummary, 'by' | 'trials' | 'expectedMaxSharpe' | 'pboUnavailable' | 'warnings'> & { top: Omit<RankedConfig, 'metrics'>[] };
  overfitting: Overfitting | null;
  heatmap: Heatmap | null;
  /** The grid's keys with their values as text (lists as `[a,b]`). */
  axes: { key: string; values: string[] }[];
}

interface CachedReport {
  trials: number;
  summary: SweepAnalysis['summary'];
  overfitting: Overfitting | null;
  axes: { key: string; values: string[] }[];
  /** Each result's grid values (as text) and the heatmap metrics: what re-drawing the heatmap needs. */
  results: { index: number; params: Record<string, string>; metrics: Record<string, number | null> }[];
  defaultAxes: { x: string; y: string | null } | null;
}

/** The analysis of a sweep is the same until a result is added; keyed by the results stored and the last update. */
const cache = new RunSeriesCache<CachedReport>(8);

/**
 * DSR of the best, PBO with its CSCV analysis, and a parameter heatmap of a sweep, from research/report's
 * loadSweepReport (the same numbers as `xylen sweep top` and `xylen report`). The report's data (every result's
 * return series) is reduced to what the page shows and kept per sweep state, so re-choosing the heatmap's axes or
 * metric costs no reload.
 */
export async function sweepAnalysis(store: Store, sweep: { sweepId: string; finished: number; updatedAt: number }, request: HeatmapRequest = {}): Promise<SweepAnalysis> {
  const key = `${sweep.finished}:${sweep.updatedAt}`;
  const report = await cache.get(sweep.sweepId, key, async () => reduce(await loadSweepReport(store, sweep.sweepId, { by: 'sharpe', top: 10 })));
  return {
    sweepId: sweep.sweepId,
    trials: report.trials,
    summary: report.summary,
    overfitting: report.overfitting,
    axes: report.axes,
    heatmap: heatmapOf(report, request),
  };
}

function reduce(data: Awaited<ReturnType<typeof loadSweepReport>>): CachedReport {
  const axes = data.axes.map((a) => ({ key: a.key, values: a.values.map(paramText) }));
  const s = data.summary;
  const o = data.overfitting;
  let overfitting: Overfitting | null = null;
  if (s.pbo && o) {
    const n = o.inSample.length;
    const counts = new Map<number, number>();
    for (const column of o.selected) counts.set(column, (counts.get(column) ?? 0) + 1);
    overfitting = {
      pbo: s.pbo.pbo,
      lossProbability: s.pbo.lossProbability,
      slope: s.pbo.slope,
      intercept: s.pbo.intercept,
      partitions: s.pbo.partitions,
      splits: s.pbo.splits,
      scatter:
        n <= SCATTER_POINTS_MAX
          ? { kind: 'points', points: Array.from({ length: n }, (_, k) => ({ is: o.inSample[k]!, oos: o.outOfSample[k]!, config: data.results[o.selected[k]!]!.index, logit: o.logits[k]! })) }
          : binScatter(o.inSample, o.outOfSample),
      logits: binLogits(o.logits),
      // CSCV's columns are the results in the order loadSweepReport gave them (grid order).
      chosen: [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 8)
        .map(([column, count]) => {
          const r = data.results[column]!;
          return { index: r.index, count, share: count / n, params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, paramText(v)])) };
        }),
    };
  }
  return {
    trials: data.results.length,
    summary: {
      by: s.by,
      trials: s.trials,
      expectedMaxSharpe: s.expectedMaxSharpe,
      pboUnavailable: s.pboUnavailable,
      warnings: s.warnings,
      top: s.top.map(({ metrics: _m, ...rest }) => rest),
    },
    overfitting,
    axes,
    results: data.results.map((r) => ({
      index: r.index,
      params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, paramText(v)])),
      metrics: Object.fromEntries(HEATMAP_METRICS.map((m) => [m, typeof r.metrics[m] === 'number' && Number.isFinite(r.metrics[m]) ? (r.metrics[m] as number) : null])),
    })),
    defaultAxes: data.heatmap ? { x: data.heatmap.x.key, y: data.heatmap.y?.key ?? null } : null,
  };
}

/** Check a heatmap's axes and metric against the sweep's grid before any work (a bad URL is a 400, not a broken chart). */
export function checkHeatmapRequest(axes: readonly { key: string }[], request: HeatmapRequest): void {
  if (request.metric && !(HEATMAP_METRICS as readonly string[]).includes(request.metric)) {
    throw inputError('BAD_METRIC', `cannot map "${request.metric}"`, { where: 'metric', hint: `one of ${HEATMAP_METRICS.join(', ')}` });
  }
  for (const [where, key] of [['x', request.x], ['y', request.y]] as const) {
    if (key && !axes.some((a) => a.key === key)) {
      throw inputError('BAD_SWEEP_PARAM', `the sweep has no grid key "${key}"`, { where, hint: `its keys: ${axes.map((a) => a.key).join(', ')}` });
    }
  }
  if (request.x && request.y && request.x === request.y) throw inputError('BAD_SWEEP_PARAM', `x and y are both "${request.x}"`, { where: 'y', hint: 'choose two different grid keys' });
}

/** Mean, min and max of the metric over the results at each (x, y) pair of grid values, averaged over the other keys. */
function heatmapOf(report: CachedReport, request: HeatmapRequest): Heatmap | null {
  const metric = request.metric ?? 'sharpe';
  if (!(HEATMAP_METRICS as readonly string[]).includes(metric)) {
    throw inputError('BAD_METRIC', `cannot map "${metric}"`, { where: 'metric', hint: `one of ${HEATMAP_METRICS.join(', ')}` });
  }
  const axis = (key: string, where: string) => {
    const found = report.axes.find((a) => a.key === key);
    if (!found) throw inputError('BAD_SWEEP_PARAM', `the sweep has no grid key "${key}"`, { where, hint: `its keys: ${report.axes.map((a) => a.key).join(', ')}` });
    return found;
  };
  let xKey = request.x || report.defaultAxes?.x;
  let yKey = request.y === '' ? null : (request.y ?? report.defaultAxes?.y ?? null);
  if (!xKey) return null;
  const x = axis(xKey, 'x');
  const y = yKey === null ? null : axis(yKey, 'y');
  if (y && y.key === x.key) throw inputError('BAD_SWEEP_PARAM', `x and y are both "${x.key}"`, { where: 'y', hint: 'choose two different grid keys' });
  xKey = x.key;
  yKey = y?.key ?? null;
  const cells = new Map<string, Heatmap['cells'][number] & { sum: number }>();
  for (const r of report.results) {
    const v = r.metrics[metric];
    if (v === null || v === undefined) continue;
    const cx = r.params[xKey]!;
    const cy = yKey === null ? null : r.params[yKey]!;
    const id = `${cx}\u0000${cy}`;
    const cell = cells.get(id);
    if (!cell) cells.set(id, { x: cx, y: cy, mean: v, min: v, max: v, n: 1, best: r.index, sum: v });
    else {
      cell.sum += v;
      cell.n++;
      if (v > cell.max) {
        cell.max = v;
        cell.best = r.index;
      }
      cell.min = Math.min(cell.min, v);
    }
  }
  return {
    x,
    y,
    metric,
    cells: [...cells.values()].map(({ sum, ...c }) => ({ ...c, mean: sum / c.n })),
    others: report.axes.filter((a) => a.key !== xKey && a.key !== yKey && a.values.length > 1).map((a) => ({ key: a.key, values: a.values.length })),
  };
}

function binScatter(xs: Float64Array, ys: Float64Array): Extract<Overfitting['scatter'], { kind: 'bins' }> {
  const extent = (values: Float64Array) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi > lo ? { lo, width: (hi - lo) / SCATTER_BINS } : { lo: lo - 0.5, width: 1 / SCATTER_BINS };
  };
  const ex = extent(xs);
  const ey = extent(ys);
  const counts = new Map<number, number>();
  for (let k = 0; k < xs.length; k++) {
    const i = Math.min(SCATTER_BINS - 1, Math.floor((xs[k]! - ex.lo) / ex.width));
    const j = Math.min(SCATTER_BINS - 1, Math.floor((ys[k]! - ey.lo) / ey.width));
    counts.set(i * SCATTER_BINS + j, (counts.get(i * SCATTER_BINS + j) ?? 0) + 1);
  }
  let maxCount = 0;
  const bins = [...counts.entries()].map(([cell, count]) => {
    maxCount = Math.max(maxCount, count);
    const i = Math.floor(cell / SCATTER_BINS);
    const j = cell % SCATTER_BINS;
    return { x1: ex.lo + i * ex.width, x2: ex.lo + (i + 1) * ex.width, y1: ey.lo + j * ey.width, y2: ey.lo + (j + 1) * ey.width, count };
  });
  return { kind: 'bins', bins, maxCount };
}

/** Bins of equal width on a grid through 0, so PBO (the share at λ ≤ 0) reads straight off the bars. */
function binLogits(logits: Float64Array): Overfitting['logits'] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of logits) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = hi > lo ? (hi - lo) / LOGIT_BINS : 0.1;
  // A value exactly at an edge belongs to the bin below it (λ = 0 counts as overfit, as PBO does).
  const first = Math.ceil(lo / width) - 1;
  const last = Math.ceil(hi / width) - 1;
  const counts = new Float64Array(last - first + 1);
  for (const v of logits) counts[Math.ceil(v / width) - 1 - first]!++;
  const out: Overfitting['logits'] = [];
  counts.forEach((count, k) => {
    if (count > 0) out.push({ x1: (first + k) * width, x2: (first + k + 1) * width, count, share: count / logits.length });
  });
  return out;
}
