import type { XylenConfig } from '../../config/index.ts';
import { intervalMs, invariantError, type BatchModel, type Journal } from '../../engine/index.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import type { EquityCurve } from '../metrics/EquityCurve.ts';
import { MetricsTap } from '../replay/MetricsTap.ts';
import { replayInputs } from '../replay/replayInputs.ts';
import { groupInputs, groupKey, modelKey, type SweepDataset } from './SweepDataset.ts';

/** One configuration to replay: what a worker thread or a queue worker is handed. */
export interface SweepTask {
  index: number;
  hash: string;
  config: XylenConfig;
}

/** What a sweep keeps of one replay: the metrics, and the equity's returns per period for PBO and DSR. */
export interface SweepConfigResult {
  index: number;
  hash: string;
  metrics: RunMetrics;
  /** Simple returns of equity sampled every `periodMs` from the sweep's start: the same periods for every config. */
  returns: Float64Array;
  bars: number;
  decisions: number;
  /** Wall time of the replay loop. */
  elapsedMs: number;
}

/** Discards everything: the metrics tap keeps what the metrics need and nothing else is stored. */
const NOWHERE: Journal = { record() {} };

/**
 * Replay one configuration over the shared dataset with no journal: the candles, features and predictions were loaded
 * once, so the cost is the event loop. The metrics are those `xylen replay` computes (the same tap, the same
 * `metricsFromJournal`), so a sweep's row and a stored replay of its config agree.
 */
export async function runSweepConfig(dataset: SweepDataset, task: SweepTask, periodMs: number): Promise<SweepConfigResult> {
  const { config } = task;
  const group = dataset.groups[groupKey(config)];
  if (!group) throw invariantError('SWEEP_GROUP_MISSING', `no data loaded for intervals ${groupKey(config)}`);
  const models: BatchModel[] = config.models
    .filter((m) => m.enabled)
    .map((m) => {
      const batch = group.predictions[modelKey(m)];
      if (!batch) throw invariantError('SWEEP_PREDICTIONS_MISSING', `no predictions loaded for model "${m.name}" (${modelKey(m)})`);
      return { name: m.name, features: group.matrix.names, predictBatch: () => batch };
    });
  const tap = new MetricsTap(NOWHERE);
  const started = performance.now();
  const outcome = await replayInputs(groupInputs(dataset, group), config, tap, { models, matrix: group.matrix });
  const elapsedMs = performance.now() - started;
  const metrics = tap.metrics({ barMs: intervalMs(group.decisionInterval), firstClose: outcome.firstOpen, lastClose: outcome.lastClose });
  return {
    index: task.index,
    hash: task.hash,
    metrics,
    returns: periodEquityReturns(tap.curve, dataset.request.from, dataset.request.to, periodMs, config.replay.initial_balance),
    bars: outcome.bars,
    decisions: outcome.decisions,
    elapsedMs,
  };
}

/**
 * Returns of the equity sampled at from + k·periodMs (k = 0 … ⌊(to − from) / periodMs⌋): the curve's last point at
 * or before each instant, the initial balance before the first. Every config of a sweep gets the same periods
 * whatever its decision interval, which PBO needs.
 */
export function periodEquityReturns(curve: EquityCurve, from: number, to: number, periodMs: number, initialEquity: number): Float64Array {
  const periods = Math.floor((to - from) / periodMs);
  const returns = new Float64Array(Math.max(0, periods));
  const { time, equity } = curve;
  let previous = initialEquity;
  let current = initialEquity;
  let k = 1;
  let boundary = from + periodMs;
  for (let i = 0; i < time.length; i++) {
    while (k <= periods && time[i]! > boundary) {
      returns[k - 1] = current / previous - 1;
      previous = current;
      k++;
      boundary = from + k * periodMs;
    }
    current = equity[i]!;
  }
  for (; k <= periods; k++) {
    returns[k - 1] = current / previous - 1;
    previous = current;
  }
  return returns;
}
