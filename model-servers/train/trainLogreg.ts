import { inputError } from '../../engine/index.ts';
import { checkParam, checkTrainingData, type ClassLabels } from './checkTrainingData.ts';
import type { LogregModel } from './LogregModel.ts';
import { minimizeLbfgs } from './minimizeLbfgs.ts';

export interface LogregParams {
  /** L2 penalty on the weights (not the bias): loss = mean log-loss + l2/2 · Σ w². */
  l2?: number;
  maxIterations?: number;
  /** Number of classes; by default the largest label + 1. */
  classes?: number;
}

/**
 * Multinomial logistic regression for class labels y (0 … classes − 1), fitted by L-BFGS on features
 * standardised to mean 0 and standard deviation 1 (a constant feature keeps std 1). Features must be present:
 * drop or fill NaN rows first.
 */
export function trainLogreg(X: Float32Array, y: ClassLabels, rows: number, width: number, params: LogregParams = {}): LogregModel {
  const l2 = checkParam('l2', params.l2 ?? 1e-4, (v) => v >= 0 && v < Infinity, 'a finite number ≥ 0');
  const maxIterations = checkParam('maxIterations', params.maxIterations ?? 500, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const classes = checkTrainingData(X, y, rows, width, params.classes, 'training');
  const missing = X.findIndex((v) => v !== v);
  if (missing >= 0) {
    throw inputError('train-missing', `training row ${Math.floor(missing / width)} feature ${missing % width} is NaN; logistic regression needs every feature`, {
      where: `training row ${Math.floor(missing / width)}`,
      hint: 'drop rows with missing features, or train a gbdt model, which handles them',
    });
  }
  const { mean, std } = standardisation(X, rows, width);
  const Z = new Float64Array(rows * width);
  for (let i = 0; i < Z.length; i++) Z[i] = (X[i]! - mean[i % width]!) / std[i % width]!;
  const nWeights = width * classes;
  const margins = new Float64Array(classes);
  // Parameters: weights [width × classes] row-major, then the bias [classes].
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      for (let k = 0; k < classes; k++) margins[k] = theta[nWeights + k]!;
      for (let f = 0; f < width; f++) {
        const z = Z[o + f]!;
        for (let k = 0; k < classes; k++) margins[k]! += z * theta[f * classes + k]!;
      }
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, margins[k]!);
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += Math.exp(margins[k]! - max);
      loss += max + Math.log(sum) - margins[y[r]!]!;
      for (let k = 0; k < classes; k++) {
        const residual = Math.exp(margins[k]! - max) / sum - (y[r] === k ? 1 : 0);
        grad[nWeights + k]! += residual;
        for (let f = 0; f < width; f++) grad[f * classes + k]! += residual * Z[o + f]!;
      }
    }
    let penalty = 0;
    for (let i = 0; i < grad.length; i++) {
      grad[i]! /= rows;
      if (i < nWeights) {
        grad[i]! += l2 * theta[i]!;
        penalty += theta[i]! * theta[i]!;
      }
    }
    return loss / rows + (l2 / 2) * penalty;
  };
  const fit = minimizeLbfgs(objective, new Float64Array(nWeights + classes), { maxIterations });
  return {
    kind: 'logreg',
    features: width,
    classes,
    mean: Float32Array.from(mean),
    std: Float32Array.from(std),
    weights: Float32Array.from(fit.x.subarray(0, nWeights)),
    bias: Float32Array.from(fit.x.subarray(nWeights)),
    iterations: fit.iterations,
    converged: fit.converged,
  };
}

/** Means and standard deviations as float32 (what the model stores), so training sees the inputs it will be fed. */
function standardisation(X: Float32Array, rows: number, width: number): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(width);
  const variance = new Float64Array(width);
  for (let i = 0; i < X.length; i++) mean[i % width]! += X[i]!;
  for (let f = 0; f < width; f++) mean[f]! /= rows;
  for (let i = 0; i < X.length; i++) variance[i % width]! += (X[i]! - mean[i % width]!) ** 2;
  // A constant feature (std 0, or below float32's range) keeps scale 1 rather than dividing by zero.
  const std = Float32Array.from(variance, (v) => Math.fround(Math.sqrt(v / rows)) || 1);
  return { mean: Float32Array.from(mean), std };
}
