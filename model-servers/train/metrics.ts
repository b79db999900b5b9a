/**
 * Turns each row of `margins` ([rows × classes], row-major) into probabilities in place. Subtracting the row's
 * maximum keeps exp() finite for any margin.
 */
export function softmaxRows(margins: Float64Array, rows: number, classes: number): Float64Array {
  for (let r = 0, o = 0; r < rows; r++, o += classes) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, margins[o + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += margins[o + k] = Math.exp(margins[o + k]! - max);
    for (let k = 0; k < classes; k++) margins[o + k]! /= sum;
  }
  return margins;
}

/** Probabilities are clipped here before the log so that one confident miss costs a finite amount. */
const EPSILON = 1e-15;

/** Mean negative log-likelihood of the true classes under `probabilities` ([rows × classes]). */
export function logLoss(probabilities: ArrayLike<number>, y: ArrayLike<number>, rows: number, classes: number): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) sum -= Math.log(Math.max(probabilities[r * classes + y[r]!]!, EPSILON));
  return sum / rows;
}

/** Share of rows whose most probable class (the first one on a tie) is the true class. */
export function accuracy(probabilities: ArrayLike<number>, y: ArrayLike<number>, rows: number, classes: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[r * classes + k]! > probabilities[r * classes + best]!) best = k;
    if (best === y[r]) hits++;
  }
  return hits / rows;
}
