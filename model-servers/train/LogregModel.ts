import { softmaxRows } from './metrics.ts';

/**
 * Multinomial logistic regression on standardised inputs: margins = ((x − mean) / std) · weights + bias,
 * probabilities = softmax(margins). Parameters are float32, as the ONNX graph holds them. A NaN input gives
 * NaN probabilities: the model has no notion of a missing value.
 */
export interface LogregModel {
  readonly kind: 'logreg';
  readonly features: number;
  readonly classes: number;
  readonly mean: Float32Array;
  readonly std: Float32Array;
  /** Row-major [features × classes]. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly iterations: number;
  readonly converged: boolean;
}

export function predictLogreg(model: LogregModel, X: Float32Array, rows: number): Float64Array {
  const { features: width, classes, mean, std, weights, bias } = model;
  const margins = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    for (let k = 0; k < classes; k++) margins[o + k] = bias[k]!;
    for (let f = 0; f < width; f++) {
      const z = (X[r * width + f]! - mean[f]!) / std[f]!;
      for (let k = 0; k < classes; k++) margins[o + k]! += z * weights[f * classes + k]!;
    }
  }
  return softmaxRows(margins, rows, classes);
}
