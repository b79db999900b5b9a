import { CONTEXT_FEATURES, DECISION_FEATURES, intervalMs } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import { claimModelVersion, latestVersion, registerModel, registerPending, type ModelRecord } from '../registry/index.ts';
import { accuracy, logLoss, predictGbdt, predictLogreg, saveOnnx, trainGbdt, trainLogreg, type LabelSpec, type TrainedModel, type TrainedModelCard } from '../train/index.ts';
import { buildTrainingSet, TRADE_CLASSES, type SplitRows, type TrainingSetRequest } from './trainingSet.ts';

export const TRAINER_KINDS = ['gbdt', 'logreg'] as const;
export type TrainerKind = (typeof TRAINER_KINDS)[number];

/**
 * Features in price units or of an absolute scale: a model fitted on them at one price level misreads another, and
 * the logistic regression, which weighs them linearly, does worse with them; the trees only split on them.
 */
export const PRICE_SCALE_FEATURES: readonly string[] = ['atr_14', 'log_volume'];

export interface TrainModelRequest extends Omit<TrainingSetRequest, 'features'> {
  kind: TrainerKind;
  /** Model id in the registry; also the file name stem. */
  id: string;
  /** Default: every engine feature for gbdt, the price-independent ones for logreg. */
  features?: readonly string[];
  /** GBDT: boosting rounds at most (early stopping on the validation split picks the best), depth, learning rate. */
  rounds?: number;
  maxDepth?: number;
  eta?: number;
  modelsDir: string;
  /** ISO time stamped on the card (the caller's clock, so training itself stays deterministic). */
  createdAt: string;
  /** Called as each of the steps (load, train, evaluate, save) finishes. */
  onStep?: (done: number, total: number) => void;
}

export interface TrainModelResult {
  record: ModelRecord;
  card: TrainedModelCard & { label: LabelSpec };
}

export const TRAIN_STEPS = 4;

/**
 * Train a model on the store's data, save it as `<modelsDir>/<id>-v<version>.onnx` (+ card) and register it as a
 * candidate: version = the id's latest + 1, parent = that latest. The card's metrics are on the test split (the last
 * 15 %, never seen in training or early stopping), with the validation figures and a class-prior baseline beside them.
 */
export async function trainModel(store: Store, request: TrainModelRequest): Promise<TrainModelResult> {
  const features = request.features ?? defaultFeatures(request.kind, intervalMs(request.contextInterval) > intervalMs(request.decisionInterval));
  const set = await buildTrainingSet(store, { ...request, features });
  request.onStep?.(1, TRAIN_STEPS);

  const width = features.length;
  const classes = TRADE_CLASSES.length;
  const { train, validation, test } = set;
  const model: TrainedModel =
    request.kind === 'gbdt'
      ? trainGbdt(train.X, train.y, train.rows, width, {
          classes,
          rounds: request.rounds ?? 200,
          maxDepth: request.maxDepth ?? 4,
          eta: request.eta ?? 0.1,
          validation,
          earlyStoppingRounds: 10,
        })
      : trainLogreg(train.X, train.y, train.rows, width, { classes, maxIterations: 200 });
  request.onStep?.(2, TRAIN_STEPS);

  const predict = (rows: SplitRows) => (model.kind === 'gbdt' ? predictGbdt(model, rows.X, rows.rows) : predictLogreg(model, rows.X, rows.rows));
  const testP = predict(test);
  const validationP = predict(validation);
  const metrics = {
    logLoss: logLoss(testP, test.y, test.rows, classes),
    accuracy: accuracy(testP, test.y, test.rows, classes),
    baselineLogLoss: priorLogLoss(train, test, classes),
    validationLogLoss: logLoss(validationP, validation.y, validation.rows, classes),
    validationAccuracy: accuracy(validationP, validation.y, validation.rows, classes),
    validationRows: validation.rows,
    testRows: test.rows,
    ...(model.kind === 'gbdt' ? { rounds: model.rounds } : { iterations: model.iterations }),
  };
  request.onStep?.(3, TRAIN_STEPS);

  // Versions that model servers retrained while the store was busy are registered first, so that numbers stay in order.
  await registerPending(store, request.modelsDir);
  const previous = await latestVersion(store, request.id);
  // The first free number above the registry's latest: a file of a version not yet registered is never overwritten.
  const claim = await claimModelVersion(request.modelsDir, request.id, previous + 1);
  const { version, path } = claim;
  const card: TrainedModelCard & { label: LabelSpec } = {
    id: request.id,
    version,
    kind: request.kind,
    features: [...features],
    classes: [...TRADE_CLASSES],
    createdAt: request.createdAt,
    ...(previous > 0 ? { parent: previous } : {}),
    training: { from: train.from, to: train.to, rows: train.rows, metrics },
    label: set.label,
  };
  try {
    await saveOnnx(model, path, card);
  } catch (error) {
    await claim.release();
    throw error;
  }
  const record = await registerModel(store, card, path);
  request.onStep?.(4, TRAIN_STEPS);
  return { record, card };
}

/** Every engine feature for trees; for the logistic regression, those that do not depend on the price level. */
export function defaultFeatures(kind: TrainerKind, withContext: boolean): string[] {
  const all: string[] = [...DECISION_FEATURES, ...(withContext ? CONTEXT_FEATURES : [])];
  return kind === 'gbdt' ? all : all.filter((f) => !PRICE_SCALE_FEATURES.includes(f));
}

/** Log-loss on `test` of always predicting the training class shares: what a model must beat to know anything. */
function priorLogLoss(train: SplitRows, test: SplitRows, classes: number): number {
  const share = new Float64Array(classes).fill(1);
  for (const y of train.y) share[y]!++;
  const total = train.rows + classes;
  const probabilities = new Float64Array(test.rows * classes);
  for (let r = 0; r < test.rows; r++) for (let k = 0; k < classes; k++) probabilities[r * classes + k] = share[k]! / total;
  return logLoss(probabilities, test.y, test.rows, classes);
}

