import { extname } from 'node:path';
import { ACTION_CODE, inputError } from '../engine/index.ts';
import type { ModelCard } from './ModelCard.ts';
import { loadXgboostModel } from './XgboostModel.ts';

export type { ModelCard, ModelClass, ModelKind } from './ModelCard.ts';

/** A model's answer for n rows. */
export interface ModelOutput {
  /** n × classes.length, row-major, in the card's class order. */
  probabilities: Float64Array;
  /** The most probable class per row as an engine action code (1 long, −1 short, 0 hold). */
  action: Int8Array;
  /** The probability of that class. */
  confidence: Float64Array;
  /** Which model answered, from a runtime whose model can change while it serves (a retrain swaps it in). */
  model?: { id: string; version: number | string };
}

export interface ModelHealth {
  status: 'ok' | 'closed';
  id: string;
  version: number | string;
  kind: string;
  path: string;
  /** predict calls and rows predicted since loading. */
  calls: number;
  rows: number;
}

/** One loaded model, whatever its format: the in-process runtime behind the engine's batch models and the model server. */
export interface ModelRuntime {
  readonly card: ModelCard;
  readonly path: string;
  /** `rows` holds n rows of card.features.length float32 values each, in the card's feature order; NaN is a missing value. */
  predict(rows: Float32Array, n: number): Promise<ModelOutput> | ModelOutput;
  health(): ModelHealth;
  close(): Promise<void> | void;
}

export interface LoadModelOptions {
  /** Card fields that override the file's own and the sidecar's (e.g. from the model registry). */
  card?: Partial<ModelCard>;
}

/** Load a model file: `.onnx` through onnxruntime, `.json` as an XGBoost JSON model evaluated natively. */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<ModelRuntime> {
  switch (extname(path).toLowerCase()) {
    case '.onnx': {
      // Loaded here, not at the top: onnxruntime and the ONNX protobuf code cost every command (and replays of
      // rule models) time to load, and only ONNX models need them.
      const { loadOnnxModel } = await import('./OnnxModel.ts');
      return loadOnnxModel(path, options.card);
    }
    case '.json':
      return loadXgboostModel(path, options.card);
    default:
      throw inputError('MODEL_FORMAT_UNKNOWN', `cannot tell the model format of "${path}" from its extension`, {
        where: path,
        hint: 'model files are .onnx (onnxruntime) or .json (XGBoost save_model JSON)',
      });
  }
}

/**
 * Actions and confidences from class probabilities: the most probable class, with its probability as the
 * confidence. A tie for the top (exactly equal probabilities) holds: a model that cannot choose does not trade;
 * the confidence is still the top probability.
 */
export function outputFromProbabilities(probabilities: Float64Array, n: number, classes: readonly ModelCard['classes'][number][]): ModelOutput {
  const k = classes.length;
  const codes = Int8Array.from(classes, (c) => ACTION_CODE[c]);
  const action = new Int8Array(n);
  const confidence = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let best = 0;
    let tie = false;
    for (let c = 1; c < k; c++) {
      const p = probabilities[o + c]!;
      if (p > probabilities[o + best]!) {
        best = c;
        tie = false;
      } else if (p === probabilities[o + best]!) tie = true;
    }
    action[r] = tie ? ACTION_CODE.hold : codes[best]!;
    confidence[r] = probabilities[o + best]!;
  }
  return { probabilities, action, confidence };
}

/** The input check every runtime makes: n rows of the card's width. */
export function checkInput(card: ModelCard, rows: Float32Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || rows.length !== n * card.features.length) {
    throw inputError('MODEL_INPUT_WIDTH', `model "${card.id}" takes rows of ${card.features.length} features, got ${rows.length} values for ${n} rows`, {
      hint: `features in order: ${card.features.join(', ')}`,
    });
  }
}
