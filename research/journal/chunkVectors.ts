import bindings from '@duckdb/node-bindings';

/** A vector of a DuckDB data chunk, as the C API hands it out. */
export type RawVector = ReturnType<typeof bindings.data_chunk_get_vector>;
/** A DuckDB value made once and referenced by whole vectors (a run id, a feature set id). */
export type RawValue = ReturnType<typeof bindings.create_varchar>;
export type Numbers = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/** DuckDB's vector size: a data chunk holds at most this many rows. */
export const CHUNK_ROWS = 2048;
/** 64-bit integers written as pairs of 32-bit words (little-endian): no BigInt per value. */
const int64 = new Uint32Array(2 * CHUNK_ROWS);
/** List entries (offset, length), each a 64-bit integer, as 32-bit word pairs. */
const entries = new Uint32Array(4 * CHUNK_ROWS);
const TWO_32 = 2 ** 32;
/** Zero bytes to copy from: empty list entries, an all-NULL validity mask. */
const ZEROS = new Uint8Array(16 * CHUNK_ROWS);

/**
 * Writers from typed arrays straight into the vectors of a table function's output chunk: one memory copy per
 * column instead of a call per value. They serve the journal's feeds (heartbeats, feature sets), which DuckDB reads
 * on its own thread while the engine runs.
 */
export function vectorOf(chunk: { chunk: Parameters<typeof bindings.data_chunk_get_vector>[0] }, column: number): RawVector {
  return bindings.data_chunk_get_vector(chunk.chunk, column);
}

/** A VARCHAR constant as the value `constantVector` references. */
export function varcharValue(text: string): RawValue {
  return bindings.create_varchar(text);
}

/** Every row of the vector is `value`. */
export function constantVector(target: RawVector, value: RawValue): void {
  bindings.vector_reference_value(target, value);
}

/** BIGINT from doubles holding integers (every journal time and seq is far below 2^53). */
export function bigintVector(target: RawVector, values: Float64Array, from: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = values[from + i]!;
    // The low word by ToUint32 (`>>> 0` is v modulo 2^32, with no floating-point remainder: `%` on doubles is a
    // call into C), the high word by the floor: two's complement for negatives too.
    int64[2 * i] = v >>> 0;
    int64[2 * i + 1] = Math.floor(v / TWO_32);
  }
  bindings.copy_data_to_vector(target, 0, int64.buffer, 0, n * 8);
}

/** A fixed-width column: `n` values from `from` on, as they are in memory. */
export function copyVector(target: RawVector, values: Numbers, from: number, n: number): void {
  const size = values.BYTES_PER_ELEMENT;
  bindings.copy_data_to_vector(target, 0, values.buffer, values.byteOffset + from * size, n * size);
}

/** A list column: row i holds `values[start[from + i] .. start[from + i + 1])`. */
export function listVector(target: RawVector, start: Int32Array, values: Numbers, from: number, n: number): void {
  const first = start[from]!;
  listEntries(target, start, from, n);
  childValues(target, values, first, start[from + n]! - first);
}

/** The (offset, length) entries of a list column's rows `from … from + n`, offsets counted from the first row's. */
function listEntries(target: RawVector, start: Int32Array, from: number, n: number): void {
  const first = start[from]!;
  // Offsets and lengths are below 2^31 (a chunk's lists), so each high word stays 0.
  for (let i = 0; i < n; i++) {
    entries[4 * i] = start[from + i]! - first;
    entries[4 * i + 2] = start[from + i + 1]! - start[from + i]!;
  }
  bindings.copy_data_to_vector(target, 0, entries.buffer, 0, n * 16);
}

/**
 * A list-of-structs column from parallel arrays, one per struct field in order: row i holds the structs at
 * `start[from + i] .. start[from + i + 1]` of every field's array.
 */
export function structListVector(target: RawVector, start: Int32Array, fields: readonly Numbers[], from: number, n: number): void {
  const first = start[from]!;
  const total = start[from + n]! - first;
  listEntries(target, start, from, n);
  const child = listChild(target, total);
  if (total === 0) return;
  for (const [k, values] of fields.entries()) copyVector(bindings.struct_vector_get_child(child, k), values, first, total);
}

/** A list column whose rows are all `width` long: row i holds `values[(from + i)·width ..)`. */
export function fixedListVector(target: RawVector, width: number, values: Numbers, from: number, n: number): void {
  for (let i = 0; i < n; i++) {
    entries[4 * i] = i * width;
    entries[4 * i + 2] = width;
  }
  bindings.copy_data_to_vector(target, 0, entries.buffer, 0, n * 16);
  childValues(target, values, from * width, n * width);
}

/** A list column of `n` empty rows (entries of offset 0 and length 0, and no child values). */
export function emptyListVector(target: RawVector, n: number): void {
  bindings.copy_data_to_vector(target, 0, ZEROS.buffer, 0, n * 16);
  listChild(target, 0);
}

/** Every row of the chunk NULL. */
export function nullVector(target: RawVector): void {
  bindings.vector_ensure_validity_writable(target);
  bindings.copy_data_to_vector_validity(target, 0, ZEROS.buffer, 0, CHUNK_ROWS / 8);
}

/** NULL at the chunk's rows `i` where `flags[from + i]` is 1 (a plain loop: no call per row). */
export function setNulls(target: RawVector, flags: Uint8Array, from: number, n: number): void {
  let validity: Uint8Array<ArrayBuffer> | undefined;
  for (let i = 0; i < n; i++) if (flags[from + i] === 1) clearValid((validity ??= allValid()), i);
  if (validity) applyValidity(target, validity);
}

/** A nullable text column: NULL through the validity mask, text only where there is some. */
export function textVector(target: RawVector, values: readonly (string | null)[], from: number, n: number): void {
  let validity: Uint8Array<ArrayBuffer> | undefined;
  for (let i = 0; i < n; i++) {
    const value = values[from + i];
    if (value !== null && value !== undefined) bindings.vector_assign_string_element(target, i, value);
    else clearValid((validity ??= allValid()), i);
  }
  if (validity) applyValidity(target, validity);
}

/** A chunk's validity mask with every row valid. */
const allValid = (): Uint8Array<ArrayBuffer> => new Uint8Array(CHUNK_ROWS / 8).fill(0xff);

function clearValid(validity: Uint8Array, i: number): void {
  validity[i >> 3]! &= ~(1 << (i & 7));
}

function applyValidity(target: RawVector, validity: Uint8Array<ArrayBuffer>): void {
  bindings.vector_ensure_validity_writable(target);
  bindings.copy_data_to_vector_validity(target, 0, validity.buffer, 0, validity.byteLength);
}

function childValues(target: RawVector, values: Numbers, first: number, total: number): void {
  const child = listChild(target, total);
  if (total > 0) copyVector(child, values, first, total);
}

/** A list column's child vector, sized for `total` entries. */
function listChild(target: RawVector, total: number): RawVector {
  bindings.list_vector_reserve(target, total);
  bindings.list_vector_set_size(target, total);
  return bindings.list_vector_get_child(target);
}
