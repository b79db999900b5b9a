import type { Store } from '../../data/index.ts';
import { getSweep, summarizeSweep, sweepResults, type StoredRun } from '../../research/index.ts';
import type { RecordedModel } from './verifyModelFiles.ts';

/** What a promotion is decided on, shown before asking and stored with the promotion. */
export interface RunEvidence {
  runId: string;
  kind: string;
  status: string;
  createdAt: string;
  data: { market: string; symbol: string; from: number; to: number; decisionInterval: string; contextInterval: string; bars: number };
  models: RecordedModel[];
  metrics: {
    totalReturn: number | null;
    cagr: number | null;
    sharpe: number | null;
    sortino: number | null;
    maxDrawdown: number;
    trades: number;
    winRate: number | null;
    profitFactor: number | null;
    buyAndHoldReturn: number | null;
  } | null;
  /** When the run is a sweep's journaled configuration: its rank by Sharpe among the sweep's trials, DSR, PSR, PBO. */
  sweep: {
    sweepId: string;
    name: string;
    trials: number;
    rank: number;
    dsr: number | null;
    psr: number | null;
    pbo: number | null;
    warnings: string[];
  } | null;
}

export async function runEvidence(store: Store, run: StoredRun): Promise<RunEvidence> {
  const m = run.metrics;
  const d = run.manifest.data;
  return {
    runId: run.runId,
    kind: run.kind,
    status: run.status,
    createdAt: run.createdAt.toISOString(),
    data: { market: d.market, symbol: d.symbol, from: d.from, to: d.to, decisionInterval: d.decisionInterval, contextInterval: d.contextInterval, bars: d.bars },
    models: run.manifest.models,
    metrics: m
      ? {
          totalReturn: m.totalReturn,
          cagr: m.cagr ?? null,
          sharpe: m.sharpe ?? null,
          sortino: m.sortino ?? null,
          maxDrawdown: m.maxDrawdown,
          trades: m.trades,
          winRate: m.winRate,
          profitFactor: m.profitFactor,
          buyAndHoldReturn: m.buyAndHoldReturn ?? null,
        }
      : null,
    sweep: await sweepEvidence(store, run.runId),
  };
}

/** DSR across all of the sweep's trials (what `xylen sweep top` shows), for the sweep result this run journaled. */
async function sweepEvidence(store: Store, runId: string): Promise<RunEvidence['sweep']> {
  const rows = await store.all(`SELECT sweep_id FROM sweep_results WHERE run_id = $1 LIMIT 1`, [runId]);
  if (rows.length === 0) return null;
  const sweep = await getSweep(store, rows[0]!['sweep_id'] as string);
  const results = await sweepResults(store, sweep.sweepId, { returns: true });
  const summary = summarizeSweep(results, { by: 'sharpe', n: results.length, periodMs: sweep.periodMs });
  const mine = summary.top.find((t) => t.runId === runId);
  return {
    sweepId: sweep.sweepId,
    name: sweep.name,
    trials: summary.trials,
    rank: mine?.rank ?? 0,
    dsr: mine?.dsr ?? null,
    psr: mine?.psr ?? null,
    pbo: summary.pbo?.pbo ?? null,
    warnings: summary.warnings,
  };
}
