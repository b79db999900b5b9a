import {
  checkQuorum,
  BTCUSDT_BRACKETS,
  constantFunding,
  Coordinator,
  ensembleFor,
  featureColumn,
  inputError,
  Instrument,
  instrumentSpecFor,
  intervalMs,
  MarginBrackets,
  PrecomputedModelClient,
  ReplayClock,
  riskManagerFor,
  ruleModel,
  runReplayLoop,
  simulatedBrokerFor,
  type BatchModel,
  type BrokerSnapshot,
  type FeatureMatrix,
  type Journal,
  type ModelClient,
  type ReplayPacer,
} from '../../engine/index.ts';
import type { XylenConfig } from '../../config/index.ts';
import { HttpModelClient } from '../../model-servers/client/index.ts';
import { bindModel, loadModel, type ModelRuntime } from '../../model-servers/index.ts';
import { configuredRef } from '../../model-servers/registry/index.ts';
import { ReplayRetrainingClient } from '../../model-servers/retrain/index.ts';
import type { ReplayInputs } from './loadReplayData.ts';
import { replayFeatures } from './replayFeatures.ts';

/** The constant funding rate charged when the store has no rates for the period (Binance's base rate per 8 h). */
export const DEFAULT_FUNDING_RATE = 0.0001;

export interface ReplayOutcome {
  bars: number;
  decisions: number;
  final: BrokerSnapshot;
  /** Buy-and-hold reference over the same base candles. */
  firstOpen: number;
  lastClose: number;
  instrumentKnown: boolean;
}

export interface ReplayOptions {
  onProgress?: (barsDone: number, barsTotal: number) => void;
  /** Asked after each heartbeat; a promise its `pause` returns is awaited (a DuckDbJournal: the journal's turn to store). */
  pacer?: ReplayPacer;
  /**
   * Batch models to vote instead of the config's `models` (from a notebook or a test); each is predicted over the
   * run's feature matrix in one batch, and its name is what the ensemble's weights and the journal use.
   */
  models?: readonly BatchModel[];
  /** The feature matrix of these inputs, when the caller already computed it (a sweep does once for all its configs). */
  matrix?: FeatureMatrix;
  /**
   * The config's registry models (`model: id@v`, endpoint `inproc:id@v`), loaded by the caller from the store
   * (model-servers/registry loadConfiguredModels), by index in the config's models list. The replay closes them.
   */
  registered?: ReadonlyMap<number, ModelRuntime>;
}

/**
 * Run one replay over loaded inputs with one config: the backtest wiring (replay clock, simulated broker,
 * in-process batched models) around the same coordinator, ensemble and risk code that live mode uses.
 * Everything the run does goes to `journal`.
 */
export async function replayInputs(inputs: ReplayInputs, config: XylenConfig, journal: Journal, options: ReplayOptions = {}): Promise<ReplayOutcome> {
  const { onProgress, pacer } = options;
  const matrix = options.matrix ?? replayFeatures(inputs);
  const models = options.models ? await Promise.all(options.models.map((m) => PrecomputedModelClient.create(m, matrix))) : await buildModels(config, matrix, options.registered);
  checkQuorum(config.ensemble.quorum, models.length);
  const ensemble = ensembleFor(config);
  const { spec, known } = instrumentSpecFor(inputs.symbol);
  const instrument = new Instrument(spec);
  const brackets = new MarginBrackets(BTCUSDT_BRACKETS);
  const clock = new ReplayClock(inputs.from);
  const broker = simulatedBrokerFor(config, { instrument, brackets, clock });
  const risk = riskManagerFor(config, brackets);
  const coordinator = new Coordinator(
    { models, ensemble, risk, broker, instrument, journal, featureNames: matrix.names },
    { threshold: config.ensemble.threshold, modelTimeoutMs: config.timing.model_timeout_ms, orderTag: 'xy' },
  );
  const funding = inputs.fundingSource === 'stored' ? inputs.funding : constantFunding(inputs.from, inputs.to, DEFAULT_FUNDING_RATE);
  const baseMs = intervalMs(inputs.baseInterval);
  let bars: number;
  try {
    bars = await runReplayLoop(
      { base: inputs.base, baseMs, matrix, decisionClose: inputs.decision.close, decisionAtr: featureColumn(matrix, 'atr_14'), funding },
      broker,
      coordinator,
      clock,
      onProgress,
      pacer,
    );
  } finally {
    for (const model of models) if (model instanceof HttpModelClient) model.close();
  }
  // A last equity point at the end, so the metrics see a trade that closed after the final decision.
  const last = broker.snapshot();
  const endTs = inputs.base.length > 0 ? inputs.base.openTime[inputs.base.length - 1]! + baseMs : Number.NaN;
  if (endTs > lastRowTimeUpTo(matrix, endTs)) {
    journal.record({ type: 'equity', ts: endTs, equity: last.equity, wallet: last.wallet, quantity: last.quantity, markPrice: last.markPrice });
  }
  const decisions = rowsStampedIn(matrix, inputs.from, inputs.to);
  return {
    bars,
    decisions,
    final: last,
    firstOpen: inputs.base.open[0] ?? Number.NaN,
    lastClose: inputs.base.close[inputs.base.length - 1] ?? Number.NaN,
    instrumentKnown: known,
  };
}

// Loops over the matrix's rows live in functions of their own: inside replayInputs, V8 compiled replayInputs again in
// every run to run them.

/** The close time of the last row stamped at or before `ts` (−Infinity when none is). */
function lastRowTimeUpTo(matrix: FeatureMatrix, ts: number): number {
  let last = -Infinity;
  for (let r = 0; r < matrix.rows && matrix.time[r]! <= ts; r++) last = matrix.time[r]!;
  return last;
}

/** How many rows are stamped in (from, to]: the decisions of a replay of that period. */
function rowsStampedIn(matrix: FeatureMatrix, from: number, to: number): number {
  let n = 0;
  for (let r = 0; r < matrix.rows; r++) if (matrix.time[r]! > from && matrix.time[r]! <= to) n++;
  return n;
}

/** A loaded model answering from a batch over the matrix; with `retrain_every`, retraining at event time in the run. */
function precomputed(runtime: ModelRuntime, m: XylenConfig['models'][number], matrix: FeatureMatrix): Promise<ModelClient> {
  const client = m.retrain_every > 0 ? ReplayRetrainingClient.create(runtime, matrix, { name: m.name, every: m.retrain_every }) : PrecomputedModelClient.create(bindModel(runtime, matrix.names, m.name), matrix);
  return client.finally(() => runtime.close());
}

async function buildModels(config: XylenConfig, matrix: FeatureMatrix, registered: ReadonlyMap<number, ModelRuntime> = new Map()): Promise<ModelClient[]> {
  // Indices stay those of the config's list, so an error names the right `models.N` key.
  const clients = config.models
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => m.enabled)
    .map(async ({ m, i }) => {
      const named = configuredRef(m, i);
      if (named) {
        const runtime = registered.get(i);
        if (!runtime) throw inputError('MODEL_REGISTRY_UNAVAILABLE', `model "${m.name}" names the registered model ${named.ref.id}${named.ref.version ? `@${named.ref.version}` : ''}, which this replay was not given`, { where: named.where, hint: 'run it with `xylen replay` (it loads registered models from the store), or give the model a path:' });
        return precomputed(runtime, m, matrix);
      }
      if (m.kind === 'onnx' || m.kind === 'xgboost') {
        if (!m.path) throw inputError('MODEL_PATH_MISSING', `model "${m.name}" has kind ${m.kind} but no path`, { where: `models.${i}.path`, hint: `set path: to the model file (${m.kind === 'onnx' ? '.onnx' : 'XGBoost .json'}), or model: to a registered id (id@version pins one)` });
        return precomputed(await loadModel(m.path), m, matrix);
      }
      if (m.kind === 'http') {
        if (!m.endpoint) throw inputError('MODEL_ENDPOINT_MISSING', `model "${m.name}" has kind http but no endpoint`, { where: `models.${i}.endpoint`, hint: 'set endpoint: to the model server, e.g. http://127.0.0.1:8001' });
        // Same decisions as in-process, one request per decision: the swap is configuration only.
        return new HttpModelClient({ url: m.endpoint, name: m.name, timeoutMs: config.timing.model_timeout_ms });
      }
      if (!m.rule) throw inputError('MODEL_RULE_MISSING', `model "${m.name}" has kind rule but no rule`, { where: `models.${i}.rule`, hint: 'set rule: momentum | mean_reversion | macd_cross | rsi' });
      return PrecomputedModelClient.create(ruleModel(m.rule, m.name), matrix);
    });
  return Promise.all(clients);
}
