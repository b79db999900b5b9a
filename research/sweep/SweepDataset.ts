import type { XylenConfig } from '../../config/index.ts';
import type { CandleColumns, FundingColumns, Market } from '../../data/index.ts';
import type { BatchPredictions, FeatureMatrix, Interval } from '../../engine/index.ts';
import type { ReplayInputs } from '../replay/loadReplayData.ts';

/** The data a sweep replays: one symbol and period for every configuration. */
export interface SweepDataRequest {
  market: Market;
  symbol: string;
  /** Unix ms, `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
}

/** What configurations with the same decision and context intervals share: candles, features and every model's predictions. */
export interface SweepGroup {
  decisionInterval: Interval;
  contextInterval: Interval;
  decision: CandleColumns;
  context: CandleColumns | undefined;
  warmupFrom: number;
  derived: ReplayInputs['derived'];
  matrix: FeatureMatrix;
  /** Batch predictions over `matrix`, by `modelKey`. */
  predictions: Record<string, BatchPredictions>;
}

/**
 * Everything the configurations of a sweep read, loaded once: base candles and funding, and per interval pair the
 * decision candles, feature matrix and model predictions. `shareDataset` moves it onto shared memory so worker threads
 * read the same bytes instead of copies.
 */
export interface SweepDataset {
  request: SweepDataRequest;
  baseInterval: Interval;
  base: CandleColumns;
  funding: FundingColumns;
  fundingSource: 'stored' | 'constant';
  /** `dataChecksum` of base and funding: equal checksums mean equal replays of equal configs (the queue checks it). */
  checksum: string;
  groups: Record<string, SweepGroup>;
}

type ModelConfig = XylenConfig['models'][number];

/** What a model's predictions depend on (not its name): the rule, or the file. */
export function modelKey(model: ModelConfig): string {
  return model.kind === 'rule' ? `rule:${model.rule ?? ''}` : `${model.kind}:${model.path ?? model.endpoint ?? ''}`;
}

export function groupKey(config: XylenConfig): string {
  return `${config.intervals.decision}/${config.intervals.context}`;
}

/** True when `dataset` holds everything `config` reads: its interval pair and every enabled model's predictions. */
export function datasetCovers(dataset: SweepDataset | undefined, config: XylenConfig): boolean {
  const group = dataset?.groups[groupKey(config)];
  return group !== undefined && config.models.every((m) => !m.enabled || group.predictions[modelKey(m)] !== undefined);
}

/** The replay inputs of one group, as `replayInputs` takes them. */
export function groupInputs(dataset: SweepDataset, group: SweepGroup): ReplayInputs {
  return {
    ...dataset.request,
    decisionInterval: group.decisionInterval,
    contextInterval: group.contextInterval,
    baseInterval: dataset.baseInterval,
    base: dataset.base,
    decision: group.decision,
    context: group.context,
    warmupFrom: group.warmupFrom,
    funding: dataset.funding,
    fundingSource: dataset.fundingSource,
    derived: group.derived,
  };
}

/**
 * The same dataset with every typed array copied onto a SharedArrayBuffer: posting it to worker threads then shares
 * the memory (structured clone keeps a view on shared memory a view on the same memory) instead of copying it.
 */
export function shareDataset(dataset: SweepDataset): SweepDataset {
  return share(dataset) as SweepDataset;
}

function share(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const typed = value as unknown as Float64Array;
    if (typed.buffer instanceof SharedArrayBuffer) return typed;
    const Constructor = typed.constructor as new (buffer: SharedArrayBuffer) => Float64Array;
    const copy = new Constructor(new SharedArrayBuffer(typed.byteLength));
    copy.set(typed);
    return copy;
  }
  if (Array.isArray(value)) return value.map(share);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, share(v)]));
  return value;
}
