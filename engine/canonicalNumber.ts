/**
 * A number as DuckDB gives it back: −0 as 0 and any NaN as the one NaN. Features and journaled values are kept in
 * this form, so that the bytes hashed in memory are the bytes that read back from the store.
 */
export function canonicalNumber(x: number): number {
  return x === x ? x + 0 : Number.NaN;
}

/** Whether every value of `values` is already canonical (`canonicalNumber`), bit for bit. */
export function isCanonical(values: Float64Array): boolean {
  let words: Uint32Array | undefined;
  for (let k = 0; k < values.length; k++) {
    const x = values[k]!;
    if (x === x) {
      if (x === 0 && 1 / x < 0) return false;
      continue;
    }
    // A NaN: only the one NaN's bits (high word 0x7ff80000, low word 0) read back as they are.
    words ??= new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    if (words[2 * k] !== CANONICAL_NAN_LOW || words[2 * k + 1] !== CANONICAL_NAN_HIGH) return false;
  }
  return true;
}

const CANONICAL_NAN_BITS = new Uint32Array(Float64Array.of(Number.NaN).buffer);
const CANONICAL_NAN_LOW = CANONICAL_NAN_BITS[0]!;
const CANONICAL_NAN_HIGH = CANONICAL_NAN_BITS[1]!;
