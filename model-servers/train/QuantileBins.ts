/** The bin of a missing (NaN) cell; value bins are 0 … MAX_VALUE_BINS − 1, so a feature has at most 256 bins. */
export const MISSING_BIN = 255;
export const MAX_VALUE_BINS = 255;

/**
 * A feature matrix reduced to bin indices, as histogram tree building needs it. Bin b of feature f holds the
 * values v with cuts[f][b−1] ≤ v < cuts[f][b] (bin 0 is everything below cuts[f][0], the last bin everything
 * from the last cut up). The cuts are float32 values taken from the data, so "bin ≤ b" is exactly
 * "v < cuts[f][b]" on float32 inputs: the test a tree exported to ONNX (BRANCH_LT) makes.
 */
export interface QuantileBins {
  readonly rows: number;
  readonly width: number;
  /** Row-major [rows × width] bin indices: a histogram pass reads every feature of a row. */
  readonly bins: Uint8Array;
  /** The same, column-major [width × rows]: a partition reads one feature of many rows. */
  readonly columns: Uint8Array;
  /** Ascending cut points per feature; feature f has cuts[f].length + 1 value bins. */
  readonly cuts: readonly Float32Array[];
}

/**
 * Cuts at the quantiles of each feature's non-missing values (every distinct value its own bin when there are
 * few enough), then the bin of every cell.
 */
export function quantileBins(X: Float32Array, rows: number, width: number, maxBins = MAX_VALUE_BINS): QuantileBins {
  if (!(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= MAX_VALUE_BINS)) {
    throw new RangeError(`maxBins must be an integer in [2, ${MAX_VALUE_BINS}], not ${maxBins}`);
  }
  const cuts: Float32Array[] = [];
  const bins = new Uint8Array(rows * width);
  const columns = new Uint8Array(rows * width);
  const column = new Float32Array(rows);
  for (let f = 0; f < width; f++) {
    let present = 0;
    for (let r = 0; r < rows; r++) {
      const v = X[r * width + f]!;
      if (v === v) column[present++] = v;
    }
    const featureCuts = cutPoints(column.subarray(0, present).sort(), maxBins);
    cuts.push(featureCuts);
    for (let r = 0; r < rows; r++) {
      const v = X[r * width + f]!;
      columns[f * rows + r] = bins[r * width + f] = v === v ? binOf(featureCuts, v) : MISSING_BIN;
    }
  }
  return { rows, width, bins, columns, cuts };
}

/** Strictly ascending cuts from sorted values: each distinct value past the first, thinned to quantiles if too many. */
function cutPoints(sorted: Float32Array, maxBins: number): Float32Array {
  const distinct: number[] = [];
  for (let i = 1; i < sorted.length; i++) if (sorted[i]! > sorted[i - 1]!) distinct.push(sorted[i]!);
  if (distinct.length < maxBins) return Float32Array.from(distinct);
  const out: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const v = sorted[Math.floor((k * sorted.length) / maxBins)]!;
    if (v > sorted[0]! && (out.length === 0 || v > out[out.length - 1]!)) out.push(v);
  }
  return Float32Array.from(out);
}

/** Number of cuts ≤ v (binary search). */
export function binOf(cuts: Float32Array, v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
