import type { Store } from '../../../../data/index.ts';
import { listRuns, type RunMetrics, type StoredRun } from '../../../../research/index.ts';

/** The metrics the runs list shows and sorts by. */
export const SUMMARY_METRICS = ['totalReturn', 'cagr', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'trades', 'winRate', 'profitFactor', 'fees', 'buyAndHoldReturn'] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/** One row of the runs list: what a run was (kind, symbol, period, ensemble method, models) and how it did. */
export interface RunSummary {
  runId: string;
  createdAt: number;
  kind: string;
  status: string;
  message: string | null;
  market: string;
  symbol: string;
  decisionInterval: string;
  from: number;
  to: number;
  /** The ensemble method from the run's config (null when the manifest has none, e.g. a foreign run). */
  method: string | null;
  models: string[];
  seed: number;
  bars: number | null;
  metrics: Record<SummaryMetric, number | null> | null;
}

export function summarizeRun(run: StoredRun): RunSummary {
  const config = run.manifest.config as { ensemble?: { method?: unknown } } | null;
  const method = typeof config?.ensemble?.method === 'string' ? config.ensemble.method : null;
  return {
    runId: run.runId,
    createdAt: run.createdAt.getTime(),
    kind: run.kind,
    status: run.status,
    message: run.message,
    market: run.manifest.data.market,
    symbol: run.manifest.data.symbol,
    decisionInterval: run.manifest.data.decisionInterval,
    from: run.manifest.data.from,
    to: run.manifest.data.to,
    method,
    models: run.manifest.models.map((m) => (m.version ? `${m.name} (${m.version})` : m.name)),
    seed: run.manifest.seed,
    bars: run.bars,
    metrics: run.metrics ? pickMetrics(run.metrics) : null,
  };
}

function pickMetrics(metrics: RunMetrics): Record<SummaryMetric, number | null> {
  return Object.fromEntries(SUMMARY_METRICS.map((key) => [key, metrics[key] ?? null])) as Record<SummaryMetric, number | null>;
}

export interface RunFilters {
  kind?: string;
  symbol?: string;
  status?: string;
  method?: string;
  /** Runs created on or after / before (Unix ms, UTC). */
  createdFrom?: number;
  createdTo?: number;
  sort?: SummaryMetric | 'createdAt';
  descending?: boolean;
}

/** What the filters can choose from, so the page offers only values that exist. */
export interface RunFacets {
  kinds: string[];
  symbols: string[];
  statuses: string[];
  methods: string[];
}

export interface RunList {
  total: number;
  runs: RunSummary[];
  facets: RunFacets;
}

/** Every stored run, filtered and sorted; runs without the sort metric come last. */
export async function runList(store: Store, filters: RunFilters = {}): Promise<RunList> {
  const all = (await listRuns(store)).map(summarizeRun);
  const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))].sort();
  const facets = {
    kinds: distinct(all.map((r) => r.kind)),
    symbols: distinct(all.map((r) => r.symbol)),
    statuses: distinct(all.map((r) => r.status)),
    methods: distinct(all.map((r) => r.method)),
  };
  return { total: all.length, runs: filterRuns(all, filters), facets };
}

export function filterRuns(runs: readonly RunSummary[], filters: RunFilters): RunSummary[] {
  const kept = runs.filter(
    (r) =>
      (!filters.kind || r.kind === filters.kind) &&
      (!filters.symbol || r.symbol === filters.symbol) &&
      (!filters.status || r.status === filters.status) &&
      (!filters.method || r.method === filters.method) &&
      (filters.createdFrom === undefined || r.createdAt >= filters.createdFrom) &&
      (filters.createdTo === undefined || r.createdAt < filters.createdTo),
  );
  const sort = filters.sort ?? 'createdAt';
  const sign = (filters.descending ?? true) ? -1 : 1;
  const value = (r: RunSummary): number | null => (sort === 'createdAt' ? r.createdAt : (r.metrics?.[sort] ?? null));
  return kept.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x - y) || (a.runId < b.runId ? 1 : -1);
  });
}
