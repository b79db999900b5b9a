import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { XylenConfig } from '../../config/index.ts';
import type { Market, Store } from '../../data/index.ts';
import { CONTEXT_FEATURES, computeFeatures, intervalMs, invariantError, type BatchModel, type Interval, type Journal, type JournalRecord } from '../../engine/index.ts';
import { bindModel, type ModelRuntime } from '../../model-servers/index.ts';
import { getModel, loadRegisteredModel } from '../../model-servers/registry/index.ts';
import { DEFAULT_ZOO, defaultFeatures, trainModel, type TrainerKind, type ZooModel } from '../../model-servers/zoo/index.ts';
import { computeLabels } from '../features/index.ts';
import { metricsFromCurve, type RunMetrics } from '../metrics/computeMetrics.ts';
import { EquityCurve } from '../metrics/EquityCurve.ts';
import { loadReplayData, type ReplayInputs } from '../replay/loadReplayData.ts';
import { MetricsTap } from '../replay/MetricsTap.ts';
import { replayInputs } from '../replay/replayInputs.ts';
import { planFolds, type Fold } from './planFolds.ts';
import { foldModelId } from './foldModelId.ts';
import { finishWalkforward, saveFold, startWalkforward } from './walkforwardTables.ts';
import { replayFeatures } from '../replay/replayFeatures.ts';

export interface WalkforwardRequest {
  market: Market;
  symbol: string;
  from: number;
  to: number;
  trainMs: number;
  testMs: number;
  stepMs?: number;
  /** Gap between the last training label and each test window (ms); default one day. */
  embargoMs?: number;
  /** Train every model with this trainer instead of the zoo's own choice. */
  kind?: TrainerKind;
  /** The models retrained on each fold (default: the four of the default zoo). */
  models?: readonly ZooModel[];
  /** Intervals, ensemble, risk, sizing and fees of the out-of-sample replays (its `models` list is replaced by the fold's). */
  config: XylenConfig;
  modelsDir: string;
  /** The caller's clock, stamped on the model cards. */
  createdAt: Date;
  onFold?: (done: number, total: number, fold: FoldResult) => void;
}

export interface FoldModel {
  name: string;
  modelId: string;
  version: number;
  kind: TrainerKind;
  path: string;
  trainingRows: number;
}

export interface FoldResult extends Fold {
  models: FoldModel[];
  /** The latest time any training label of the fold became known (checked < testFrom − embargo). */
  labelEndMax: number | null;
  metrics: RunMetrics;
  startEquity: number;
  endEquity: number;
}

export interface WalkforwardOutcome {
  wfId: string;
  folds: FoldResult[];
  /** Metrics of the stitched out-of-sample equity: every test window in turn, each starting from the last one's equity. */
  metrics: RunMetrics;
  embargoMs: number;
  elapsedMs: number;
}

const NOWHERE: Journal = { record() {} };

/**
 * Walk-forward analysis: for each fold, retrain the models (the zoo's TypeScript trainers) on the training window with
 * labels purged at the test start minus the embargo, then replay the test window that follows with those models only,
 * out of sample. Each test window starts from the previous one's final equity (flat), so the windows stitch into one
 * out-of-sample equity curve; per-fold and overall metrics and the curve are stored. The caller owns the read-write
 * store (training registers the fold models in the registry).
 */
export async function runWalkforward(store: Store, request: WalkforwardRequest): Promise<WalkforwardOutcome> {
  const started = performance.now();
  const decisionInterval = request.config.intervals.decision as Interval;
  const contextInterval = request.config.intervals.context as Interval;
  const decisionMs = intervalMs(decisionInterval);
  const embargoMs = request.embargoMs ?? 86_400_000;
  const folds = planFolds({ ...request, embargoMs, decisionMs });
  const wfId = `wf-${request.createdAt.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
  await startWalkforward(store, { wfId, request: { ...request, embargoMs, stepMs: request.stepMs ?? request.testMs } });

  const results: FoldResult[] = [];
  const allRecords: JournalRecord[] = [];
  const allEquity = new EquityCurve();
  let equity = request.config.replay.initial_balance;
  let firstOpen = Number.NaN;
  let lastClose = Number.NaN;
  try {
    for (const fold of folds) {
      const models = await trainFold(store, request, fold, wfId, decisionInterval, contextInterval);
      const labelEndMax = await latestLabelEnd(store, request, fold, models, decisionInterval, contextInterval);
      if (labelEndMax !== null && labelEndMax >= fold.testFrom - embargoMs) {
        throw invariantError('PURGE_VIOLATED', `fold ${fold.index}: a training label ends at ${labelEndMax}, inside the embargo before the test start ${fold.testFrom}`);
      }
      const inputs = await loadReplayData(store, { market: request.market, symbol: request.symbol, from: fold.testFrom, to: fold.testTo, decisionInterval, contextInterval });
      const { metrics, records, curve, outcome } = await replayFold(store, inputs, request.config, models, equity);
      for (const record of records) allRecords.push(record); // not push(...records): past the argument limit (~120k) a long fold's records would overflow
      allEquity.append(curve);
      if (Number.isNaN(firstOpen)) firstOpen = outcome.firstOpen;
      lastClose = outcome.lastClose;
      const result: FoldResult = { ...fold, models, labelEndMax, metrics, startEquity: equity, endEquity: outcome.final.equity };
      await saveFold(store, wfId, result, curve);
      results.push(result);
      request.onFold?.(results.length, folds.length, result);
      equity = outcome.final.equity;
      if (!(equity > 0)) break; // the account is gone: nothing left to trade in later folds
    }
  } catch (error) {
    await finishWalkforward(store, wfId, 'failed', null, error instanceof Error ? error.message : String(error));
    throw error;
  }
  const metrics = metricsFromCurve(allEquity, allRecords, { barMs: decisionMs, firstClose: firstOpen, lastClose });
  const message = results.length < folds.length ? `stopped after fold ${results.length - 1}: equity ${equity.toFixed(2)}` : null;
  await finishWalkforward(store, wfId, 'complete', metrics, message);
  return { wfId, folds: results, metrics, embargoMs, elapsedMs: performance.now() - started };
}

async function trainFold(store: Store, request: WalkforwardRequest, fold: Fold, wfId: string, decisionInterval: Interval, contextInterval: Interval): Promise<FoldModel[]> {
  const withContext = intervalMs(contextInterval) > intervalMs(decisionInterval);
  const trained: FoldModel[] = [];
  for (const zoo of request.models ?? DEFAULT_ZOO) {
    const kind = request.kind ?? zoo.kind;
    const name = kind === zoo.kind ? zoo.id : `${zoo.id}.${kind}`;
    const features = zoo.features === 'all' ? defaultFeatures(kind, withContext) : zoo.features.filter((f) => withContext || !(CONTEXT_FEATURES as readonly string[]).includes(f));
    const { record, card } = await trainModel(store, {
      market: request.market,
      symbol: request.symbol,
      decisionInterval,
      contextInterval,
      from: fold.trainFrom,
      to: fold.trainTo,
      kind,
      id: foldModelId(wfId, fold.index, name),
      features,
      label: zoo.label,
      modelsDir: join(request.modelsDir, 'walkforward', wfId),
      createdAt: request.createdAt.toISOString(),
    });
    trained.push({ name, modelId: record.modelId, version: record.version, kind, path: record.path, trainingRows: card.training.rows });
  }
  return trained;
}

/**
 * When the fold's last training label became known, recomputed the way the trainer computes them (the same loader,
 * features and label spec, resolved barriers included) over the fold's training range.
 */
async function latestLabelEnd(store: Store, request: WalkforwardRequest, fold: Fold, models: FoldModel[], decisionInterval: Interval, contextInterval: Interval): Promise<number | null> {
  const inputs = await loadReplayData(store, { market: request.market, symbol: request.symbol, from: fold.trainFrom, to: fold.trainTo, decisionInterval, contextInterval });
  const matrix = computeFeatures(inputs.decision, inputs.context, { decisionInterval, contextInterval });
  let latest: number | null = null;
  for (const model of models) {
    const record = await getModel(store, model.modelId, model.version);
    const label = record.label as { kind: 'forward-return' | 'triple-barrier'; horizon: number; tp?: number; sl?: number } | null;
    if (!label) continue;
    const labels =
      label.kind === 'forward-return'
        ? computeLabels({ kind: 'forward-return', horizon: label.horizon }, matrix, inputs)!
        : computeLabels({ kind: 'triple-barrier', horizon: label.horizon, takeProfit: label.tp!, stopLoss: label.sl!, signAtVertical: false }, matrix, inputs)!;
    for (let r = 0; r < matrix.rows; r++) {
      const t = matrix.time[r]!;
      if (t < fold.trainFrom || t >= fold.trainTo || Number.isNaN(labels.label[r]!)) continue;
      latest = Math.max(latest ?? -Infinity, labels.time[r]!);
    }
  }
  return latest;
}

async function replayFold(store: Store, inputs: ReplayInputs, base: XylenConfig, models: FoldModel[], initialBalance: number) {
  const config: XylenConfig = {
    ...base,
    models: models.map((m) => ({ name: m.name, kind: 'onnx', path: m.path, weight: 1, enabled: true, retrain_every: 0 })),
    replay: { ...base.replay, initial_balance: initialBalance },
  };
  const matrix = replayFeatures(inputs);
  const runtimes: ModelRuntime[] = [];
  try {
    const batch: BatchModel[] = [];
    for (const m of models) {
      const { runtime } = await loadRegisteredModel(store, m.modelId, m.version);
      runtimes.push(runtime);
      batch.push(bindModel(runtime, matrix.names, m.name));
    }
    const tap = new MetricsTap(NOWHERE);
    const outcome = await replayInputs(inputs, config, tap, { models: batch, matrix });
    const metrics = tap.metrics({ barMs: intervalMs(inputs.decisionInterval), firstClose: outcome.firstOpen, lastClose: outcome.lastClose });
    return { metrics, records: tap.records, curve: tap.curve, outcome };
  } finally {
    for (const runtime of runtimes) await runtime.close();
  }
}
