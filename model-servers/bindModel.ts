import { ACTION_CODE, inputError, type BatchModel, type BatchPredictions, type FeatureMatrix } from '../engine/index.ts';
import type { ModelOutput, ModelRuntime } from './ModelRuntime.ts';

/**
 * A loaded model as an engine batch model over feature matrices whose columns are `featureNames`: the model's
 * inputs are picked from the matrix by name, so a model reads the engine's features in its own order. A feature the
 * engine does not have is an error here, when the model is bound, not garbage later. Rows with a missing input (the
 * warm-up) hold with confidence 0 and never reach the model.
 */
export function bindModel(runtime: ModelRuntime, featureNames: readonly string[], name: string = runtime.card.id): BatchModel {
  columnsFor(runtime, featureNames, name);
  return {
    name,
    features: runtime.card.features,
    predictBatch(matrix: FeatureMatrix) {
      const { input, rowsIn, n } = completeRows(matrix, columnsFor(runtime, matrix.names, name));
      const scatter = (output: ModelOutput): BatchPredictions => {
        const out: BatchPredictions = { action: new Int8Array(matrix.rows).fill(ACTION_CODE.hold), confidence: new Float64Array(matrix.rows) };
        for (let i = 0; i < n; i++) {
          out.action[rowsIn[i]!] = output.action[i]!;
          out.confidence[rowsIn[i]!] = output.confidence[i]!;
        }
        return out;
      };
      const output = runtime.predict(input, n);
      return output instanceof Promise ? output.then(scatter) : scatter(output);
    },
  };
}

/**
 * The matrix rows from `from` on whose `columns` all hold a value, as a model's input (n rows of the columns, in
 * order, float32) and their row numbers; a row with a missing input (the warm-up) is left out, to hold.
 */
export function completeRows(matrix: FeatureMatrix, columns: Int32Array, from = 0): { input: Float32Array; rowsIn: Int32Array; n: number } {
  const width = columns.length;
  const rows = Math.max(0, matrix.rows - from);
  const rowsIn = new Int32Array(rows);
  const input = new Float32Array(rows * width);
  let n = 0;
  for (let r = from; r < matrix.rows; r++) {
    const o = r * matrix.width;
    let complete = true;
    for (let c = 0; c < width; c++) {
      const v = matrix.values[o + columns[c]!]!;
      if (Number.isNaN(v)) {
        complete = false;
        break;
      }
      input[n * width + c] = v;
    }
    if (complete) rowsIn[n++] = r;
  }
  return { input: input.subarray(0, n * width), rowsIn, n };
}

/** Where each wanted feature is among `available`: its index, or −1 when absent. */
export function featureColumns(wanted: readonly string[], available: readonly string[]): Int32Array {
  return Int32Array.from(wanted, (f) => available.indexOf(f));
}

function columnsFor(runtime: ModelRuntime, featureNames: readonly string[], name: string): Int32Array {
  const columns = featureColumns(runtime.card.features, featureNames);
  const missing = runtime.card.features.filter((_, i) => columns[i] === -1);
  if (missing.length > 0) {
    throw inputError('MODEL_FEATURE_MISSING', `model "${name}" needs feature(s) ${missing.map((f) => `"${f}"`).join(', ')}, which the engine does not compute`, {
      where: runtime.path,
      hint: `the engine's features: ${featureNames.join(', ')}; rename the inputs in the model's card (${runtime.card.id}) or retrain on these`,
    });
  }
  return columns;
}
