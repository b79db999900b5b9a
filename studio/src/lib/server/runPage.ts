import type { Store } from '../../../../data/index.ts';
import { INTERVAL_MS, isInterval } from '../../../../engine/index.ts';
import { getRun, riskRuleSummary, type RiskRuleSummary, type RunManifest, type RunMetrics } from '../../../../research/index.ts';
import { candleSeries, tradeMarks, type CandleSeries, type TradeMarks } from './candleSeries.ts';
import { equityCurve, type EquityCurve } from './equityCurve.ts';
import { pinnedModels, type PinnedModel } from './pinnedModels.ts';
import { RunSeriesCache } from './RunSeriesCache.ts';
import { decisionPage, journalPage, type DecisionPage, type JournalRow, type PagedTable, type PageRequest, type TablePage } from './journalPages.ts';
import { summarizeRun, type RunSummary } from './runSummaries.ts';

export interface RunDetail extends RunSummary {
  manifest: RunManifest;
  /** Registered model versions the ensemble used (read from its config's model files). */
  pinned: PinnedModel[];
  fullMetrics: RunMetrics | null;
  journalHash: string | null;
  records: number | null;
  elapsedMs: number | null;
  finishedAt: number | null;
}

export interface RunCosts {
  fills: number;
  fees: number;
  makerFees: number;
  takerFees: number;
  tradedNotional: number;
  fundingPayments: number;
  /** Sum of funding payments as the wallet saw them: negative = paid. */
  fundingNet: number;
  /** Risk rules that fired: how often, with what effect, first when. */
  riskRules: RiskRuleSummary[];
}

/** What the run page needs first: the run, its tables' first pages, its costs. */
export interface RunPageHead {
  run: RunDetail;
  decisions: DecisionPage;
  trades: TablePage<JournalRow>;
  risk: TablePage<JournalRow>;
  funding: TablePage<JournalRow>;
  costs: RunCosts;
}

/** The run's charts, downsampled: sent after the head (streamed), so the browser loads the page while they are made. */
export interface RunSeries {
  curve: EquityCurve;
  candles: CandleSeries;
  marks: TradeMarks;
}

/** A stored run with its manifest (an unknown id is RUN_NOT_FOUND, a malformed one BAD_RUN_ID). */
export async function runDetail(store: Store, runId: string): Promise<RunDetail> {
  const run = await getRun(store, runId, 'run id');
  return {
    ...summarizeRun(run),
    manifest: run.manifest,
    pinned: pinnedModels(run.manifest),
    fullMetrics: run.metrics,
    journalHash: run.journalHash,
    records: run.records,
    elapsedMs: run.elapsedMs,
    finishedAt: run.finishedAt?.getTime() ?? null,
  };
}

/** A run's decision bar (ms); 5m for an interval this build does not know (a foreign run). */
export function decisionBarMs(run: RunSummary): number {
  return isInterval(run.decisionInterval) ? INTERVAL_MS[run.decisionInterval] : 300_000;
}

const seriesCache = new RunSeriesCache<RunSeries>();

/** The run page's head: the run and the first page of each table, paged in SQL. */
export async function runPageHead(store: Store, runId: string, decisions: PageRequest = {}): Promise<RunPageHead> {
  const run = await runDetail(store, runId);
  const models = run.manifest.models.map((m) => m.name);
  return {
    run,
    decisions: await decisionPage(store, run.runId, models, decisions),
    trades: await journalPage(store, run.runId, 'trades', { size: 25 }),
    risk: await journalPage(store, run.runId, 'risk', { size: 25 }),
    funding: await journalPage(store, run.runId, 'funding', { size: 25 }),
    costs: await runCosts(store, run.runId),
  };
}

/** A run's charts, each series downsampled in SQL; a finished run's are kept in memory (see RunSeriesCache). */
export function runSeries(store: Store, run: RunDetail): Promise<RunSeries> {
  return seriesCache.get(run.runId, run.status === 'complete' ? run.journalHash : null, async () => ({
    curve: await equityCurve(store, run.runId),
    candles: await candleSeries(store, run.manifest.data),
    marks: await tradeMarks(store, run.runId, run.manifest.data.to),
  }));
}

export async function runCosts(store: Store, runId: string): Promise<RunCosts> {
  const [fills] = await store.all(
    `SELECT count(*)::DOUBLE AS n, coalesce(sum(fee), 0) AS fees, coalesce(sum(fee) FILTER (WHERE liquidity = 'maker'), 0) AS maker,
            coalesce(sum(fee) FILTER (WHERE liquidity = 'taker'), 0) AS taker, coalesce(sum(abs(quantity * price)), 0) AS notional
     FROM fills WHERE run_id = $1`,
    [runId],
  );
  const [funding] = await store.all(`SELECT count(*)::DOUBLE AS n, coalesce(sum(payment), 0) AS net FROM funding WHERE run_id = $1`, [runId]);
  return {
    fills: Number(fills?.['n'] ?? 0),
    fees: Number(fills?.['fees'] ?? 0),
    makerFees: Number(fills?.['maker'] ?? 0),
    takerFees: Number(fills?.['taker'] ?? 0),
    tradedNotional: Number(fills?.['notional'] ?? 0),
    fundingPayments: Number(funding?.['n'] ?? 0),
    fundingNet: Number(funding?.['net'] ?? 0),
    riskRules: await riskRuleSummary(store, runId),
  };
}

/** One page of one of a run's journal tables (the run page's pagers ask for these). */
export async function runTable(store: Store, runId: string, table: PagedTable, request: PageRequest): Promise<DecisionPage | TablePage<JournalRow>> {
  const run = await getRun(store, runId, 'run id');
  if (table === 'decisions') return decisionPage(store, run.runId, run.manifest.models.map((m) => m.name), request);
  return journalPage(store, run.runId, table, request);
}
