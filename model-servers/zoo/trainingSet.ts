import { computeFeatures, formatTime, inputError, type FeatureMatrix } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import { computeLabels } from '../../research/features/index.ts';
import { loadReplayData, type ReplayDataRequest } from '../../research/replay/loadReplayData.ts';
import type { LabelSpec as StoredLabelSpec } from '../train/index.ts';

/** Classes in the order of every trained model's probabilities: index = label + 1 for triple-barrier labels. */
export const TRADE_CLASSES = ['short', 'hold', 'long'] as const;

export interface LabelRequest {
  kind: StoredLabelSpec['kind'];
  horizon: number;
  /**
   * Triple-barrier: take-profit and stop-loss fractions; without them, both at the median ATR 14 (as a fraction of
   * the close) over the training period times √horizon, about one typical move over the horizon. Forward-return: the dead zone (|return| ≤ it is hold);
   * without it, the |return| that a third of the training rows stay within, so that the three classes are balanced.
   */
  tp?: number;
  sl?: number;
}

export interface TrainingSetRequest extends ReplayDataRequest {
  /** Engine feature names the model reads, in its input order. */
  features: readonly string[];
  label: LabelRequest;
}

/** Rows of one split: features row-major in the request's order, class indices into TRADE_CLASSES. */
export interface SplitRows {
  X: Float32Array;
  y: Uint8Array;
  rows: number;
  /** Decision time of the first and last row (Unix ms). */
  from: number;
  to: number;
}

export interface TrainingSet {
  features: string[];
  label: StoredLabelSpec;
  train: SplitRows;
  validation: SplitRows;
  test: SplitRows;
}

/** Shares of the usable rows, in time order: train, then validation (early stopping), then test (reported metrics). */
const SPLIT = { train: 0.7, validation: 0.15 } as const;
/** Fewer rows than this per split cannot say anything about a model. */
const MIN_SPLIT_ROWS = 50;

/**
 * Features and labels exactly as a replay computes them (the replay's loader and warm-up, `computeFeatures`, the
 * feature export's labels) for decisions in [from, to); labels never look past `to`. Rows with a missing feature
 * (the warm-up; the engine never feeds those to a model) or an unknown label are dropped; the rest are split in
 * time order, and each split starts only after every label of the one before it is known (no overlap leaks).
 */
export async function buildTrainingSet(store: Store, request: TrainingSetRequest): Promise<TrainingSet> {
  const inputs = await loadReplayData(store, request);
  const matrix = computeFeatures(inputs.decision, inputs.context, { decisionInterval: request.decisionInterval, contextInterval: request.contextInterval });
  const columns = featureIndices(request.features, matrix);
  const { kind, horizon } = request.label;
  const barrier = kind === 'triple-barrier' && (request.label.tp === undefined || request.label.sl === undefined) ? volatilityBarrier(matrix, request, horizon) : 0;
  const tp = request.label.tp ?? barrier;
  const sl = request.label.sl ?? barrier;
  const labels =
    kind === 'forward-return'
      ? computeLabels({ kind, horizon }, matrix, inputs)!
      : computeLabels({ kind, horizon, takeProfit: tp, stopLoss: sl, signAtVertical: false }, matrix, inputs)!;

  const kept: number[] = [];
  for (let r = 0; r < matrix.rows; r++) {
    const t = matrix.time[r]!;
    if (t < request.from || t >= request.to || Number.isNaN(labels.label[r]!)) continue;
    if (columns.some((c) => Number.isNaN(matrix.values[r * matrix.width + c]!))) continue;
    kept.push(r);
  }
  const trainEnd = Math.floor(kept.length * SPLIT.train);
  const validationEnd = Math.floor(kept.length * (SPLIT.train + SPLIT.validation));
  const trainRows = kept.slice(0, trainEnd);
  const validationRows = afterLabels(kept.slice(trainEnd, validationEnd), trainRows, labels.time, matrix.time);
  const testRows = afterLabels(kept.slice(validationEnd), validationRows, labels.time, matrix.time);
  for (const [name, rows] of [
    ['training', trainRows],
    ['validation', validationRows],
    ['test', testRows],
  ] as const) {
    if (rows.length < MIN_SPLIT_ROWS) {
      throw inputError('TRAINING_DATA_TOO_SHORT', `only ${kept.length} labelled decisions between ${formatTime(request.from)} and ${formatTime(request.to)}: the ${name} split would have ${rows.length} rows (at least ${MIN_SPLIT_ROWS})`, {
        where: '--from/--to',
        hint: 'widen the range (a few weeks of 5m decisions at least), or shorten --horizon',
      });
    }
  }

  const deadZone = kind === 'forward-return' ? (request.label.tp ?? quantile(trainRows.map((r) => Math.abs(labels.label[r]!)), 1 / 3)) : 0;
  const classOf = (value: number): number => (kind === 'triple-barrier' ? value + 1 : value > deadZone ? 2 : value < -deadZone ? 0 : 1);
  const take = (rows: number[]): SplitRows => {
    const width = columns.length;
    const X = new Float32Array(rows.length * width);
    const y = new Uint8Array(rows.length);
    rows.forEach((r, i) => {
      for (let c = 0; c < width; c++) X[i * width + c] = matrix.values[r * matrix.width + columns[c]!]!;
      y[i] = classOf(labels.label[r]!);
    });
    return { X, y, rows: rows.length, from: matrix.time[rows[0]!]!, to: matrix.time[rows.at(-1)!]! };
  };
  return {
    features: [...request.features],
    label: kind === 'forward-return' ? { kind, horizon, tp: deadZone, sl: deadZone } : { kind, horizon, tp, sl },
    train: take(trainRows),
    validation: take(validationRows),
    test: take(testRows),
  };
}

function featureIndices(wanted: readonly string[], matrix: FeatureMatrix): number[] {
  const unknown = wanted.filter((f) => !matrix.names.includes(f));
  if (unknown.length > 0) {
    throw inputError('UNKNOWN_FEATURE', `no feature named ${unknown.map((f) => `"${f}"`).join(', ')}`, {
      where: '--features',
      hint: `the engine's features here: ${matrix.names.join(', ')}`,
    });
  }
  return wanted.map((f) => matrix.names.indexOf(f));
}

/** `rows` from the first whose decision comes after every label of `before` is known. */
function afterLabels(rows: number[], before: number[], labelTime: Float64Array, time: Float64Array): number[] {
  let known = -Infinity;
  for (const r of before) known = Math.max(known, labelTime[r]!);
  const start = rows.findIndex((r) => time[r]! >= known);
  return start < 0 ? [] : rows.slice(start);
}

/** The value a share `q` of `values` lie at or below (0 for none). */
function quantile(values: number[], q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor((sorted.length - 1) * q)] ?? 0;
}

/** Median atr_rel_14 over the training share of [from, to), times √horizon. */
function volatilityBarrier(matrix: FeatureMatrix, range: { from: number; to: number }, horizon: number): number {
  const column = matrix.names.indexOf('atr_rel_14');
  const trainEnd = range.from + SPLIT.train * (range.to - range.from);
  const values: number[] = [];
  for (let r = 0; r < matrix.rows; r++) {
    const v = matrix.values[r * matrix.width + column]!;
    if (matrix.time[r]! >= range.from && matrix.time[r]! < trainEnd && v > 0) values.push(v);
  }
  return quantile(values, 0.5) * Math.sqrt(horizon);
}
