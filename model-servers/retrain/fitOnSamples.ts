import { inputError } from '../../engine/index.ts';
import type { ModelClass } from '../ModelCard.ts';
import { predictGbdt, predictLogreg, trainGbdt, trainLogreg, type GbdtParams, type LogregParams, type TrainedModel } from '../train/index.ts';

/** One trade outcome as a training row: its decision's features (in the model's order) and its label's class index. */
export interface LabelledSample {
  ts: number;
  x: Float32Array;
  y: number;
}

export interface FitSpec {
  /** Model id and where the samples came from, for messages. */
  id: string;
  where: string;
  classes: readonly ModelClass[];
  width: number;
  trainer: 'gbdt' | 'logreg';
  gbdt?: Omit<GbdtParams, 'classes' | 'validation'>;
  logreg?: Omit<LogregParams, 'classes'>;
}

export interface SampleSplit {
  X: Float32Array;
  y: Uint8Array;
  rows: number;
  /** Decision time of the first and last row (NaN when empty). */
  from: number;
  to: number;
}

export interface Fitted {
  model: TrainedModel;
  train: SampleSplit;
  validation: SampleSplit;
  test: SampleSplit;
  /** The new model's class probabilities for rows of X ([rows × width]). */
  predict(X: Float32Array, rows: number): Float64Array;
}

/** Fewer usable samples than this cannot be split into training, validation and test rows. */
export const MIN_RETRAIN_SAMPLES = 10;
const SPLIT = { train: 0.7, validation: 0.15 } as const;

/** The settings of `xylen models init`'s trees, so that a retrained model is the same kind of model as its parent. */
export const RETRAIN_GBDT_DEFAULTS = { rounds: 200, maxDepth: 4, eta: 0.1, earlyStoppingRounds: 10 } as const;

/**
 * Train a model on trade outcomes, as a model server's retrain and a replay's in-run retrain both do: the samples in
 * decision-time order split 70 / 15 / 15 into training, validation (the GBDT's early stopping) and test rows; a
 * logreg parent retrains as logistic regression, any other as a GBDT with `xylen models init`'s settings. Deterministic
 * (the trainers are seeded): the same samples give the same model. Too few samples, or training rows of one label
 * only, are input errors that say so (a model would learn nothing).
 */
export function fitOnSamples(samples: readonly LabelledSample[], spec: FitSpec): Fitted {
  if (samples.length < MIN_RETRAIN_SAMPLES) {
    throw inputError('RETRAIN_TOO_FEW_SAMPLES', `only ${samples.length} usable samples to train "${spec.id}" (at least ${MIN_RETRAIN_SAMPLES})`, { where: spec.where });
  }
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const trainEnd = Math.floor(sorted.length * SPLIT.train);
  const validationEnd = Math.floor(sorted.length * (SPLIT.train + SPLIT.validation));
  const take = (part: readonly LabelledSample[]): SampleSplit => {
    const X = new Float32Array(part.length * spec.width);
    const y = new Uint8Array(part.length);
    part.forEach((s, i) => {
      X.set(s.x, i * spec.width);
      y[i] = s.y;
    });
    return { X, y, rows: part.length, from: part[0]?.ts ?? Number.NaN, to: part.at(-1)?.ts ?? Number.NaN };
  };
  const train = take(sorted.slice(0, trainEnd));
  const validation = take(sorted.slice(trainEnd, validationEnd));
  const test = take(sorted.slice(validationEnd));
  if (new Set(train.y).size < 2) {
    const only = spec.classes[train.y[0]!];
    throw inputError('RETRAIN_LABELS_DEGENERATE', `all ${train.rows} training samples of "${spec.id}" are labelled "${only}": a model trained on them would always say "${only}"`, {
      where: spec.where,
      hint: 'retraining needs outcomes of more than one label (winning and losing trades); the old model keeps serving',
    });
  }
  const k = spec.classes.length;
  const model: TrainedModel =
    spec.trainer === 'gbdt'
      ? trainGbdt(train.X, train.y, train.rows, spec.width, { ...RETRAIN_GBDT_DEFAULTS, ...spec.gbdt, classes: k, validation })
      : trainLogreg(train.X, train.y, train.rows, spec.width, { maxIterations: 200, ...spec.logreg, classes: k });
  const predict = (X: Float32Array, rows: number) => (model.kind === 'gbdt' ? predictGbdt(model, X, rows) : predictLogreg(model, X, rows));
  return { model, train, validation, test, predict };
}
