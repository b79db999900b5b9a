import { inputError } from '../../engine/index.ts';

/** Class labels as trainers take them: class indices 0 … classes − 1. */
export type ClassLabels = Int8Array | Uint8Array;

/**
 * Checks a training set's shape and labels and returns the number of classes (given, or max label + 1, at
 * least 2). `what` names the set in messages ("training", "validation").
 */
export function checkTrainingData(X: Float32Array, y: ClassLabels, rows: number, width: number, classes: number | undefined, what: string): number {
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(width) && width >= 1)) {
    throw inputError('train-shape', `${what} set needs at least one row and one feature, got ${rows} × ${width}`, { where: what });
  }
  if (X.length !== rows * width || y.length !== rows) {
    throw inputError('train-shape', `${what} set of ${rows} × ${width} needs ${rows * width} feature cells and ${rows} labels, got ${X.length} and ${y.length}`, {
      where: what,
    });
  }
  let max = 0;
  for (let r = 0; r < rows; r++) {
    const label = y[r]!;
    if (label < 0 || (classes !== undefined && label >= classes)) {
      throw inputError('train-label', `${what} row ${r} has label ${label}; labels are class indices 0 … ${classes === undefined ? 'C − 1' : classes - 1}`, {
        where: `${what} row ${r}`,
        hint: 'map triple-barrier labels −1/0/+1 to short 0, hold 1, long 2',
      });
    }
    max = Math.max(max, label);
  }
  for (let i = 0; i < X.length; i++) {
    if (X[i] === Infinity || X[i] === -Infinity) {
      throw inputError('train-infinite', `${what} row ${Math.floor(i / width)} feature ${i % width} is infinite`, {
        where: `${what} row ${Math.floor(i / width)}`,
        hint: 'use NaN for a missing value',
      });
    }
  }
  return classes ?? Math.max(2, max + 1);
}

/** A numeric parameter checked against its range; `where` is the parameter's name. */
export function checkParam(name: string, value: number, ok: (v: number) => boolean, range: string): number {
  if (!(typeof value === 'number' && ok(value))) throw inputError('train-param', `${name} must be ${range}, not ${value}`, { where: name });
  return value;
}
