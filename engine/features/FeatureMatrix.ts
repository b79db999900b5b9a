/**
 * The features the models see, row-major: row r is values[r·width .. (r+1)·width), one row per decision candle,
 * in the column order of `names`. Row-major because batched inference (ONNX, tree models) takes a contiguous
 * [rows × width] tensor: a row range is a zero-copy `subarray`, and a float32 model input is one
 * `Float32Array.from(values)`. Warm-up cells (and context cells before the first closed context candle) are NaN.
 */
export interface FeatureMatrix {
  readonly names: readonly string[];
  readonly rows: number;
  readonly width: number;
  readonly values: Float64Array;
  /** Close time (Unix ms) of each row's decision candle: the instant the row becomes known. */
  readonly time: Float64Array;
}

/** Row r as a view (no copy). */
export function featureRow(matrix: FeatureMatrix, r: number): Float64Array {
  return matrix.values.subarray(r * matrix.width, (r + 1) * matrix.width);
}

/** One feature as its own column (a copy), e.g. for export or inspection. */
export function featureColumn(matrix: FeatureMatrix, name: string): Float64Array {
  const c = matrix.names.indexOf(name);
  if (c < 0) throw new RangeError(`no feature named "${name}"; features are ${matrix.names.join(', ')}`);
  const out = new Float64Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) out[r] = matrix.values[r * matrix.width + c]!;
  return out;
}
