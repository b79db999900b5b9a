import { actionOfCode, inputError, type Action } from '../../engine/index.ts';
import { featureColumns, type ModelClass, type ModelRuntime } from '../index.ts';

/** One row's answer as the server sends it and both model clients read it. */
export interface RowPrediction {
  action: Action;
  confidence: number;
  /** By class name; empty for a row the model was not asked about (a missing input). */
  probabilities: Partial<Record<ModelClass, number>>;
}

/**
 * Where each of the model's features is among `names`: an input error naming the missing ones (the server answers
 * it with 422). Other names are ignored, so a client may send the engine's whole feature row.
 */
export function modelColumns(runtime: ModelRuntime, names: readonly string[], where = 'names'): Int32Array {
  const { card } = runtime;
  const columns = featureColumns(card.features, names);
  const missing = card.features.filter((_, i) => columns[i] === -1);
  if (missing.length > 0) {
    throw inputError('MODEL_FEATURE_MISSING', `model "${card.id}" needs feature(s) ${missing.map((f) => `"${f}"`).join(', ')}, which the request does not name`, {
      where,
      hint: `model "${card.id}" reads ${card.features.join(', ')}`,
    });
  }
  return columns;
}

/**
 * Predictions for n rows of the model's width (NaN = missing), and the model that gave them (the one serving when
 * they were computed, should a retrain swap the model meanwhile). As in bindModel (the replay's path), a row with a
 * missing input holds with confidence 0 and never reaches the model, so in-process and HTTP answers agree.
 */
export async function predictRows(runtime: ModelRuntime, input: Float32Array, n: number): Promise<{ predictions: RowPrediction[]; model: { id: string; version: number | string } }> {
  const width = runtime.card.features.length;
  const asked = { id: runtime.card.id, version: runtime.card.version };
  const complete: number[] = [];
  for (let r = 0; r < n; r++) {
    let ok = true;
    for (let c = r * width; c < (r + 1) * width; c++) if (Number.isNaN(input[c]!)) ok = false;
    if (ok) complete.push(r);
  }
  const answers: RowPrediction[] = Array.from({ length: n }, () => ({ action: 'hold', confidence: 0, probabilities: {} }));
  if (complete.length === 0) return { predictions: answers, model: asked };
  let rows = input.subarray(0, n * width);
  if (complete.length < n) {
    rows = new Float32Array(complete.length * width);
    complete.forEach((r, i) => rows.set(input.subarray(r * width, (r + 1) * width), i * width));
  }
  const output = await runtime.predict(rows, complete.length);
  const classes = runtime.card.classes;
  const k = classes.length;
  complete.forEach((r, i) => {
    const probabilities: Partial<Record<ModelClass, number>> = {};
    for (let c = 0; c < k; c++) probabilities[classes[c]!] = output.probabilities[i * k + c]!;
    answers[r] = { action: actionOfCode(output.action[i]!), confidence: output.confidence[i]!, probabilities };
  });
  return { predictions: answers, model: output.model ?? asked };
}
