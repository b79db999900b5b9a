import bindings from '@duckdb/node-bindings';
import { BIGINT, DOUBLE, INTEGER, LIST, UTINYINT, VARCHAR, type DuckDBDataChunk } from '@duckdb/node-api';
import type { HeartbeatBlock } from './HeartbeatBlock.ts';

type RawVector = ReturnType<typeof bindings.data_chunk_get_vector>;
type RawValue = ReturnType<typeof bindings.create_varchar>;
type Numbers = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/** The `heartbeats` table's columns in order, as migration 4 (data/migrations.ts) creates them. */
export const HEARTBEAT_COLUMNS = [
  ['run_id', VARCHAR],
  ['seq', BIGINT],
  ['ts', BIGINT],
  ['row', INTEGER],
  ['close', DOUBLE],
  ['equity', DOUBLE],
  ['wallet', DOUBLE],
  ['quantity', DOUBLE],
  ['mark_price', DOUBLE],
  ['action', UTINYINT],
  ['confidence', DOUBLE],
  ['score_long', DOUBLE],
  ['score_short', DOUBLE],
  ['score_hold', DOUBLE],
  ['outcome', UTINYINT],
  ['missing', VARCHAR],
  ['detail', VARCHAR],
  ['features', LIST(DOUBLE)],
  ['vote_model', LIST(UTINYINT)],
  ['vote_action', LIST(UTINYINT)],
  ['vote_confidence', LIST(DOUBLE)],
  ['vote_weight', LIST(DOUBLE)],
] as const;

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;
/** 64-bit integers written as pairs of 32-bit words (little-endian): no BigInt per value. */
const int64 = new Uint32Array(2 * CHUNK_ROWS);
/** List entries (offset, length), each a 64-bit integer, as 32-bit word pairs. */
const entries = new Uint32Array(4 * CHUNK_ROWS);
const TWO_32 = 2 ** 32;

/**
 * Rows `from … to` of a heartbeat block into a data chunk with the `heartbeats` columns, written straight from the
 * block's typed arrays into DuckDB's vectors: one memory copy per column instead of a call per value (the generic
 * path, which kept a year-long journal at ~2 s). The run id is one constant value for the whole chunk.
 */
export function fillHeartbeatChunk(chunk: DuckDBDataChunk, runId: RawValue, block: HeartbeatBlock, from: number, to: number): void {
  const n = to - from;
  chunk.rowCount = n;
  const raw = chunk.chunk;
  const vector = (c: number): RawVector => bindings.data_chunk_get_vector(raw, c);
  bindings.vector_reference_value(vector(0), runId);
  bigints(vector(1), block.seq, from, n);
  bigints(vector(2), block.ts, from, n);
  copy(vector(3), block.row, from, n);
  copy(vector(4), block.close, from, n);
  copy(vector(5), block.equity, from, n);
  copy(vector(6), block.wallet, from, n);
  copy(vector(7), block.quantity, from, n);
  copy(vector(8), block.markPrice, from, n);
  copy(vector(9), block.action, from, n);
  copy(vector(10), block.confidence, from, n);
  copy(vector(11), block.scoreLong, from, n);
  copy(vector(12), block.scoreShort, from, n);
  copy(vector(13), block.scoreHold, from, n);
  copy(vector(14), block.outcome, from, n);
  strings(vector(15), block.missing, from, n);
  strings(vector(16), block.detail, from, n);
  list(vector(17), block.featureStart, block.features, from, n);
  list(vector(18), block.voteStart, block.voteModel, from, n);
  list(vector(19), block.voteStart, block.voteAction, from, n);
  list(vector(20), block.voteStart, block.voteConfidence, from, n);
  list(vector(21), block.voteStart, block.voteWeight, from, n);
}

/** The run id as the constant value `fillHeartbeatChunk` references. */
export function runIdValue(runId: string): RawValue {
  return bindings.create_varchar(runId);
}

/** BIGINT from doubles holding integers (every journal time and seq is far below 2^53). */
function bigints(target: RawVector, values: Float64Array, from: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = values[from + i]!;
    int64[2 * i] = v % TWO_32; // with the floor below, two’s complement for negatives too
    int64[2 * i + 1] = Math.floor(v / TWO_32);
  }
  bindings.copy_data_to_vector(target, 0, int64.buffer, 0, n * 8);
}

/** A list column: (offset, length) entries, then the flat child values. */
function list(target: RawVector, start: Int32Array, values: Numbers, from: number, n: number): void {
  const first = start[from]!;
  const total = start[from + n]! - first;
  // Offsets and lengths are below 2^31 (a block's lists), so each high word stays 0.
  for (let i = 0; i < n; i++) {
    entries[4 * i] = start[from + i]! - first;
    entries[4 * i + 2] = start[from + i + 1]! - start[from + i]!;
  }
  bindings.copy_data_to_vector(target, 0, entries.buffer, 0, n * 16);
  bindings.list_vector_reserve(target, total);
  bindings.list_vector_set_size(target, total);
  const child = bindings.list_vector_get_child(target);
  if (total > 0) bindings.copy_data_to_vector(child, 0, values.buffer, values.byteOffset + first * values.BYTES_PER_ELEMENT, total * values.BYTES_PER_ELEMENT);
}

function copy(target: RawVector, values: Numbers, from: number, n: number): void {
  const size = values.BYTES_PER_ELEMENT;
  bindings.copy_data_to_vector(target, 0, values.buffer, values.byteOffset + from * size, n * size);
}

/** A nullable text column: NULL through the validity mask, text only where there is some (rare: missing, detail). */
function strings(target: RawVector, values: readonly (string | null)[], from: number, n: number): void {
  let validity: Uint8Array<ArrayBuffer> | undefined;
  for (let i = 0; i < n; i++) {
    const value = values[from + i];
    if (value !== null && value !== undefined) {
      bindings.vector_assign_string_element(target, i, value);
      continue;
    }
    validity ??= new Uint8Array(CHUNK_ROWS / 8).fill(0xff);
    validity[i >> 3]! &= ~(1 << (i & 7));
  }
  if (validity) {
    bindings.vector_ensure_validity_writable(target);
    bindings.copy_data_to_vector_validity(target, 0, validity.buffer, 0, validity.byteLength);
  }
}
