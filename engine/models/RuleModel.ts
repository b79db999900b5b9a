import type { Action, Prediction } from '../ensemble/Prediction.ts';
import type { FeatureMatrix } from '../features/FeatureMatrix.ts';

/** Action codes in batch prediction arrays (Int8Array): compact and fast to scan. */
export const ACTION_CODE = { hold: 0, long: 1, short: -1 } as const;

/**
 * The action of a code in ACTION_CODE (anything else holds). Compares, not a lookup in a record keyed 0, 1 and −1:
 * V8 keeps −1 as a named property, which made every lookup a slow keyed load.
 */
export function actionOfCode(code: number): Action {
  return code === 1 ? 'long' : code === -1 ? 'short' : 'hold';
}

/** Predictions for every row of a feature matrix, as columns. */
export interface BatchPredictions {
  action: Int8Array;
  confidence: Float64Array;
}

/**
 * A model that answers for a whole feature matrix at once (the replay's fast path). Row r's answer may use
 * rows ≤ r only, which is what keeps batch prediction free of look-ahead.
 */
export interface BatchModel {
  readonly name: string;
  /** Feature names the model reads; a matrix without them is an error when the model is bound. */
  readonly features: readonly string[];
  /** Native runtimes (onnxruntime) answer asynchronously; rule models at once. */
  predictBatch(matrix: FeatureMatrix): BatchPredictions | Promise<BatchPredictions>;
}

/** Row `row` of a batch as a prediction, written into `into` when given (a caller that reuses one allocates nothing). */
export function predictionAt(batch: BatchPredictions, row: number, into: Prediction = { action: 'hold', confidence: 0 }): Prediction {
  into.action = actionOfCode(batch.action[row]!);
  into.confidence = batch.confidence[row]!;
  return into;
}
