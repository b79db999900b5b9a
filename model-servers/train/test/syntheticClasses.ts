import { Rng } from '../../../engine/index.ts';

/**
 * A seeded classification problem with structure a tree must find (thresholds, an interaction) and label
 * noise, so that no model reaches zero loss: the class is the argmax of three noisy scores of the features.
 * `missing` is the share of cells replaced by NaN.
 */
export function syntheticClasses(rows: number, width: number, seed: number, missing = 0): { X: Float32Array; y: Uint8Array } {
  const rng = new Rng(seed);
  const X = new Float32Array(rows * width);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let f = 0; f < width; f++) X[o + f] = rng.normal();
    const a = X[o]!;
    const b = width > 1 ? X[o + 1]! : 0;
    const c = width > 2 ? X[o + 2]! : 0;
    const scores = [a > 0.5 ? 1 : 0, a * b + 0.5 * c, b < -0.3 ? 1.2 : 0].map((s) => s + 0.8 * rng.normal());
    y[r] = scores.indexOf(Math.max(...scores));
    for (let f = 0; f < width; f++) if (missing > 0 && rng.next() < missing) X[o + f] = NaN;
  }
  return { X, y };
}
