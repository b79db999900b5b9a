import { Rng } from '../../../engine/index.ts';

/**
 * Rows (one column per entry of `thresholds`) whose cells are drawn from the model's own split thresholds for that
 * feature, NaN, and fresh normal values: every branch edge case of a tree model, seeded.
 */
export function edgeRows(thresholds: readonly (readonly number[])[], rows: number, seed: number): Float32Array {
  const width = thresholds.length;
  const rng = new Rng(seed);
  const X = new Float32Array(rows * width);
  for (let i = 0; i < X.length; i++) {
    const own = thresholds[i % width]!;
    const pick = rng.next();
    X[i] = pick < 0.1 ? NaN : pick < 0.6 && own.length > 0 ? own[rng.int(0, own.length - 1)]! : rng.normal();
  }
  return X;
}
