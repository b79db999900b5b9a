import { maskSecrets, type XylenConfig } from '../../config/index.ts';
import type { Market, Store } from '../../data/index.ts';
import { featureNames, intervalMs, type Interval } from '../../engine/index.ts';
import { DuckDbJournal } from '../journal/DuckDbJournal.ts';
import { candleChecksum, codeVersion, type RunManifest, type RunModel } from '../journal/RunManifest.ts';
import { newRunId } from '../journal/runId.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { fileSha256, loadConfiguredModels, type ConfiguredModel } from '../../model-servers/registry/index.ts';
import { loadReplayData } from './loadReplayData.ts';
import { MetricsTap } from './MetricsTap.ts';
import { DEFAULT_FUNDING_RATE, replayInputs, type ReplayOutcome } from './replayInputs.ts';
import { replayFeatures } from './replayFeatures.ts';

export interface StoredReplayRequest {
  market: Market;
  symbol: string;
  from: number;
  to: number;
}

export interface StoredReplayResult {
  runId: string;
  journalHash: string;
  bars: number;
  decisions: number;
  /** Wall time of the replay: features, opening the journal and the loop (data loading excluded). */
  elapsedMs: number;
  /** `elapsedMs` by phase: the feature matrix, the journal's set-up (the run row, the feature set's hash), the loop. */
  phasesMs: { features: number; journal: number; loop: number };
  /** Wall time after the loop until the run is committed: the metrics and the rest of the journal (most of it is stored during the loop). */
  storeMs: number;
  loadMs: number;
  metrics: RunMetrics;
  manifest: RunManifest;
  instrumentKnown: boolean;
}

/**
 * A replay from the store to the store: load the period, run the engine with the config, journal everything into
 * the run tables, compute the metrics and complete the run row. The caller owns the (read-write) store.
 */
export async function runStoredReplay(
  store: Store,
  config: XylenConfig,
  request: StoredReplayRequest,
  onProgress?: (barsDone: number, barsTotal: number) => void,
): Promise<StoredReplayResult> {
  const loadStarted = performance.now();
  const inputs = await loadReplayData(store, {
    ...request,
    decisionInterval: config.intervals.decision as Interval,
    contextInterval: config.intervals.context as Interval,
  });
  const loadMs = performance.now() - loadStarted;
  // Registered models resolve (a bare id to its champion) before the manifest, which records the version that ran.
  const registered = await loadConfiguredModels(store, config.models);
  try {
    // The journal's inserts are fed from this thread: DuckDB's worker threads would only busy-wait beside them.
    return await store.singleThreaded(() => replayStored(store, config, inputs, loadMs, registered, onProgress));
  } finally {
    for (const { runtime } of registered.values()) await runtime.close();
  }
}

async function replayStored(
  store: Store,
  config: XylenConfig,
  inputs: Awaited<ReturnType<typeof loadReplayData>>,
  loadMs: number,
  registered: Map<number, ConfiguredModel>,
  onProgress: ((barsDone: number, barsTotal: number) => void) | undefined,
): Promise<StoredReplayResult> {
  const createdAt = new Date();
  const manifest: RunManifest = {
    config: maskSecrets(config),
    data: {
      market: inputs.market,
      symbol: inputs.symbol,
      baseInterval: inputs.baseInterval,
      decisionInterval: inputs.decisionInterval,
      contextInterval: inputs.contextInterval,
      from: inputs.from,
      to: inputs.to,
      bars: inputs.base.length,
      checksum: candleChecksum({ openTime: inputs.base.openTime, open: inputs.base.open, high: inputs.base.high, low: inputs.base.low, close: inputs.base.close, volume: inputs.base.volume }),
      features: [...featureNames(inputs.context !== undefined)],
    },
    models: await runModels(config, registered),
    funding: inputs.fundingSource === 'stored' ? { source: 'stored' } : { source: 'constant', rate: DEFAULT_FUNDING_RATE },
    code: codeVersion(),
    seed: config.replay.seed,
  };
  const started = performance.now();
  // The features first: the journal stores the matrix once per distinct content and the heartbeats refer to it.
  const matrix = replayFeatures(inputs);
  const featured = performance.now();
  const journal = await DuckDbJournal.open(store, { runId: newRunId(createdAt), kind: 'replay', manifest, createdAt }, { features: matrix });
  const tap = new MetricsTap(journal);
  const opened = performance.now();
  let outcome: ReplayOutcome;
  try {
    outcome = await replayInputs(inputs, config, tap, {
      matrix,
      onProgress,
      pacer: journal,
      registered: new Map([...registered].map(([i, m]) => [i, m.runtime])),
    });
  } catch (error) {
    // Keep what was journaled and say why the run stopped, rather than leave it 'running'.
    await journal.fail(error instanceof Error ? error.message : String(error), new Date());
    throw error;
  }
  const elapsedMs = performance.now() - started;
  // The metrics are computed while DuckDB commits the journal.
  const finished = await journal.finish(() => ({
    metrics: tap.metrics({ barMs: intervalMs(inputs.decisionInterval), firstClose: outcome.firstOpen, lastClose: outcome.lastClose }),
    bars: outcome.bars,
    elapsedMs,
    finishedAt: new Date(),
  }));
  const { metrics } = finished.summary;
  const storeMs = performance.now() - started - elapsedMs;
  return {
    runId: finished.runId,
    journalHash: finished.journalHash,
    bars: outcome.bars,
    decisions: outcome.decisions,
    elapsedMs,
    phasesMs: { features: featured - started, journal: opened - featured, loop: started + elapsedMs - opened },
    storeMs,
    loadMs,
    metrics,
    manifest,
    instrumentKnown: outcome.instrumentKnown,
  };
}

/** The manifest's models: each enabled entry with what exactly ran (rule, registered version, file checksum). */
async function runModels(config: XylenConfig, registered: ReadonlyMap<number, ConfiguredModel>): Promise<RunModel[]> {
  const models: RunModel[] = [];
  for (const [i, m] of config.models.entries()) {
    if (!m.enabled) continue;
    const record = registered.get(i)?.record;
    if (record) models.push({ name: m.name, kind: m.kind, version: `${record.modelId}@${record.version}`, sha256: record.fileSha256 });
    else if (m.rule) models.push({ name: m.name, kind: m.kind, version: `rule:${m.rule}` });
    else if (m.path && (m.kind === 'onnx' || m.kind === 'xgboost')) models.push({ name: m.name, kind: m.kind, sha256: await fileSha256(m.path) });
    else models.push({ name: m.name, kind: m.kind });
  }
  return models;
}
