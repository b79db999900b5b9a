import type { Store } from '../../../../data/index.ts';
import { inputError } from '../../../../engine/index.ts';
import { getModel, listModels } from '../../../../model-servers/registry/index.ts';
import {
  deflatedSharpeRatio,
  listRuns,
  pairedBootstrapSharpe,
  periodReturns,
  probabilisticSharpeRatio,
  sharpeMoments,
  type DeflatedSharpe,
  type SharpeDifference,
} from '../../../../research/index.ts';
import { METRICS, metricValue } from '../metricsCatalog.ts';
import { alignedReturns } from './alignedReturns.ts';
import { decisionAgreement, type DecisionAgreement } from './decisionAgreement.ts';
import { modelDataUsedTo } from './modelDataRange.ts';
import { pinnedVersion } from './pinnedModels.ts';
import { decisionBarMs, runDetail } from './runPage.ts';

export interface ChallengeRequest {
  modelId: string;
  /** The challenger version. */
  version: number;
  /** The run with the champion (or, when the model has none, without the model) and the run with the challenger. */
  championRun: string;
  challengerRun: string;
}

/** What a promotion is decided on; stored with the promotion in the registry (model_events.evidence). */
export interface ChallengeEvidence {
  modelId: string;
  version: number;
  /** The champion the challenger was compared with (null: the model had none, the baseline is the ensemble without it). */
  championVersion: number | null;
  runs: { champion: string; challenger: string };
  period: { market: string; symbol: string; from: number; to: number };
  /**
   * The challenger's training split, the end of all the data it was fitted and selected on (validation and test
   * splits included), and whether the compared period starts after that for both versions.
   */
  training: { from: number | null; to: number | null; dataUsedTo: number | null };
  outOfSample: boolean;
  metrics: { champion: Record<string, number | null>; challenger: Record<string, number | null> };
  /** Paired bootstrap of the Sharpe difference challenger − champion over the aligned periods. */
  sharpeTest: (SharpeDifference & { periodMs: number }) | null;
  /**
   * Deflated Sharpe Ratio of the challenger's run: the probability that its Sharpe ratio beats the best of the trials
   * by luck, the trials being every run of this model's versions (and the champion run) over this same period.
   */
  dsr: (DeflatedSharpe & { trialRuns: string[]; sharpePerPeriod: number }) | null;
  /** Probabilistic Sharpe Ratio of the challenger's run against 0. */
  psr: number | null;
  agreement: DecisionAgreement;
}

/**
 * Gather the evidence for promoting `version` of `modelId`, checking that the two runs are what they claim: the
 * challenger run used exactly that version, the champion run the current champion (or no version of the model when
 * it has none), over the same market, symbol and period.
 */
export async function challengeEvidence(store: Store, request: ChallengeRequest): Promise<ChallengeEvidence> {
  const { modelId, version } = request;
  const challenger = await getModel(store, modelId, version);
  const champion = (await listModels(store, modelId)).find((m) => m.status === 'champion') ?? null;
  if (champion?.version === version) {
    throw inputError('MODEL_ALREADY_CHAMPION', `model "${modelId}" v${version} is already the champion`, { where: `${modelId} v${version}` });
  }
  const championRun = await runDetail(store, request.championRun);
  const challengerRun = await runDetail(store, request.challengerRun);
  const used = pinnedVersion(challengerRun.manifest, modelId);
  if (used !== version) {
    throw inputError('CHALLENGE_RUN_MISMATCH', `run ${challengerRun.runId} did not use ${modelId} v${version} (it used ${used === null ? 'no version of it' : `v${used}`})`, {
      where: 'challenger run',
      hint: 'start a comparison from the models page: it replays the champion and the challenger with their versions pinned',
    });
  }
  const baselineVersion = pinnedVersion(championRun.manifest, modelId);
  if (baselineVersion !== (champion?.version ?? null)) {
    throw inputError(
      'CHALLENGE_RUN_MISMATCH',
      `run ${championRun.runId} used ${baselineVersion === null ? `no version of ${modelId}` : `${modelId} v${baselineVersion}`}, but the champion is ${champion ? `v${champion.version}` : 'none'}`,
      { where: 'champion run', hint: 'the champion changed since the comparison: compare again' },
    );
  }
  const period = (run: typeof championRun) => `${run.market}:${run.symbol}:${run.from}:${run.to}`;
  if (period(championRun) !== period(challengerRun)) {
    throw inputError('CHALLENGE_PERIOD_MISMATCH', `runs ${championRun.runId} and ${challengerRun.runId} cover different markets or periods`, {
      where: 'runs',
      hint: 'compare the two versions over the same period',
    });
  }
  for (const run of [championRun, challengerRun]) {
    if (run.status !== 'complete') {
      throw inputError('CHALLENGE_RUN_INCOMPLETE', `run ${run.runId} is ${run.status}`, { where: run.runId, hint: 'only complete runs are evidence: compare again' });
    }
  }

  const barMs = decisionBarMs(challengerRun);
  const challengerDataTo = modelDataUsedTo(challenger, barMs);
  const aligned = await alignedReturns(store, challengerRun.runId, championRun.runId, barMs);
  const test = aligned.a.length >= 3 ? pairedBootstrapSharpe(aligned.a, aligned.b, { seed: 7, perYear: aligned.perYear }) : null;

  const equity = await store.all(`SELECT equity FROM equity WHERE run_id = $1 ORDER BY seq`, [challengerRun.runId]);
  const moments = sharpeMoments(periodReturns(equity.map((r) => Number(r['equity']))));
  const trialRuns = await trialsOver(store, modelId, championRun.runId, challengerRun);
  const trialSharpes = trialRuns.map((t) => t.sharpePerPeriod);
  const dsr = moments === null || trialSharpes.length === 0 ? null : { ...deflatedSharpeRatio(moments, trialSharpes), trialRuns: trialRuns.map((t) => t.runId), sharpePerPeriod: moments.sharpe };

  const pick = (metrics: Record<string, unknown> | null) => Object.fromEntries(METRICS.map((m) => [m.key, metricValue(metrics, m.key)]));
  return {
    modelId,
    version,
    championVersion: champion?.version ?? null,
    runs: { champion: championRun.runId, challenger: challengerRun.runId },
    period: { market: challengerRun.market, symbol: challengerRun.symbol, from: challengerRun.from, to: challengerRun.to },
    training: { from: challenger.trainingFrom, to: challenger.trainingTo, dataUsedTo: challengerDataTo },
    outOfSample: challengerDataTo !== null && challengerDataTo <= challengerRun.from && (champion === null || (modelDataUsedTo(champion, barMs) ?? Infinity) <= challengerRun.from),
    metrics: { champion: pick(championRun.fullMetrics as unknown as Record<string, unknown>), challenger: pick(challengerRun.fullMetrics as unknown as Record<string, unknown>) },
    sharpeTest: test === null ? null : { ...test, periodMs: aligned.periodMs },
    dsr,
    psr: moments === null ? null : probabilisticSharpeRatio(moments, 0),
    agreement: await decisionAgreement(store, challengerRun.runId, championRun.runId),
  };
}

/**
 * The trials behind a challenger's Sharpe ratio: every complete run over the same market and period that used some
 * version of the model, plus the champion run, each with its per-period Sharpe ratio (the annualised one over √(periods
 * per year)). Each version tried on this period is one more chance to look good by luck, which the DSR charges for.
 */
async function trialsOver(store: Store, modelId: string, championRun: string, challenger: { market: string; symbol: string; from: number; to: number }) {
  const trials: { runId: string; sharpePerPeriod: number }[] = [];
  for (const run of await listRuns(store)) {
    const data = run.manifest.data;
    if (run.status !== 'complete' || data.market !== challenger.market || data.symbol !== challenger.symbol || data.from !== challenger.from || data.to !== challenger.to) continue;
    if (run.runId !== championRun && pinnedVersion(run.manifest, modelId) === null) continue;
    const sharpe = run.metrics?.sharpe;
    const perYear = run.metrics?.annualisation.periodsPerYear;
    if (typeof sharpe === 'number' && typeof perYear === 'number' && perYear > 0) trials.push({ runId: run.runId, sharpePerPeriod: sharpe / Math.sqrt(perYear) });
  }
  return trials;
}
