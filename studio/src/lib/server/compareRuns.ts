import type { Store } from '../../../../data/index.ts';
import { inputError } from '../../../../engine/index.ts';
import { pairedBootstrapSharpe, parseRunId, type SharpeDifference } from '../../../../research/index.ts';
import { alignedReturns } from './alignedReturns.ts';
import { decisionAgreement, type DecisionAgreement } from './decisionAgreement.ts';
import { equityCurve } from './equityCurve.ts';
import { decisionBarMs, runDetail, type RunDetail } from './runPage.ts';

export const MAX_COMPARED = 8;

export interface ComparedRun extends RunDetail {
  /** A short name for legends: the ensemble method (when the runs differ in it) and the run id's suffix. */
  label: string;
}

export interface ComparedCurve {
  runId: string;
  label: string;
  ts: number[];
  /** Return since the start (a fraction). */
  value: number[];
}

export interface SharpeTest {
  /** The run tested, against the baseline (the first run). */
  runId: string;
  baseline: string;
  /** null when a Sharpe ratio is undefined or the runs share fewer than 3 heartbeats. */
  result: SharpeDifference | null;
  periodMs: number;
  common: number;
}

export interface Comparison {
  runs: ComparedRun[];
  curves: ComparedCurve[];
  /** Buy-and-hold of the baseline's market and period, as a return since the start. */
  buyHold: { ts: number[]; value: number[] };
  agreement: DecisionAgreement[];
  tests: SharpeTest[];
  /** What the reader should know: different periods, symbols or intervals. */
  notes: string[];
}

/** The run ids of a compare request (`a,b,c`), checked: 2 to MAX_COMPARED well-formed, distinct ids. */
export function parseCompareIds(text: string | null): string[] {
  const ids = [...new Set((text ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
  ids.forEach((id) => parseRunId(id, 'runs'));
  if (ids.length < 2 || ids.length > MAX_COMPARED) {
    throw inputError('COMPARE_RUN_COUNT', `compare needs 2 to ${MAX_COMPARED} runs, got ${ids.length}`, {
      where: 'runs',
      hint: 'tick two or more runs in the runs list and press Compare',
    });
  }
  return ids;
}

/**
 * Two or more runs side by side: their equity as returns on one chart, agreement of their decisions pair by pair,
 * and for each run after the first a paired bootstrap test of its Sharpe ratio against the first's (the baseline).
 */
export async function compareRuns(store: Store, runIds: readonly string[], options: { seed?: number; resamples?: number } = {}): Promise<Comparison> {
  const details: RunDetail[] = [];
  for (const id of runIds) details.push(await runDetail(store, id));
  const methods = new Set(details.map((d) => d.method));
  const runs = details.map((d) => ({ ...d, label: `${methods.size > 1 && d.method ? `${d.method} · ` : ''}${d.runId.slice(-4)}` }));

  const curves: ComparedCurve[] = [];
  let buyHold = { ts: [] as number[], value: [] as number[] };
  for (const run of runs) {
    const curve = await equityCurve(store, run.runId, 600);
    const start = run.fullMetrics?.startEquity ?? curve.equity[0] ?? 1;
    curves.push({ runId: run.runId, label: run.label, ts: curve.ts, value: curve.equity.map((e) => e / start - 1) });
    if (run === runs[0]) buyHold = { ts: curve.ts, value: curve.buyHold.map((e) => e / start - 1) };
  }

  const agreement: DecisionAgreement[] = [];
  for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) agreement.push(await decisionAgreement(store, runs[i]!.runId, runs[j]!.runId));

  const baseline = runs[0]!;
  const tests: SharpeTest[] = [];
  for (const run of runs.slice(1)) {
    const barMs = Math.max(decisionBarMs(baseline), decisionBarMs(run));
    const aligned = await alignedReturns(store, run.runId, baseline.runId, barMs);
    let result: SharpeDifference | null = null;
    if (aligned.a.length >= 3) {
      result = pairedBootstrapSharpe(aligned.a, aligned.b, { seed: options.seed ?? 7, resamples: options.resamples ?? 2000, perYear: aligned.perYear });
    }
    tests.push({ runId: run.runId, baseline: baseline.runId, result, periodMs: aligned.periodMs, common: aligned.common });
  }
  return { runs, curves, buyHold, agreement, tests, notes: comparisonNotes(runs) };
}

function comparisonNotes(runs: readonly RunDetail[]): string[] {
  const notes: string[] = [];
  const distinct = (f: (r: RunDetail) => string) => new Set(runs.map(f)).size > 1;
  if (distinct((r) => `${r.market}:${r.symbol}`)) notes.push('The runs trade different markets or symbols: their curves are not the same bet.');
  if (distinct((r) => `${r.from}-${r.to}`)) notes.push('The runs cover different periods: agreement and the Sharpe tests use only the heartbeats they share.');
  if (distinct((r) => r.decisionInterval)) notes.push('The runs decide on different intervals: the tests use the coarser one.');
  const unfinished = runs.filter((r) => r.status !== 'complete');
  if (unfinished.length > 0) notes.push(`Not complete: ${unfinished.map((r) => `${r.runId} (${r.status})`).join(', ')}.`);
  return notes;
}
