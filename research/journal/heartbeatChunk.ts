import bindings from '@duckdb/node-bindings';
import { BIGINT, DOUBLE, DuckDBDataChunk, INTEGER, LIST, UTINYINT, VARCHAR, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { HeartbeatBlock } from './HeartbeatBlock.ts';

type RawVector = ReturnType<typeof bindings.data_chunk_get_vector>;
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

/**
 * Heartbeat blocks into the `heartbeats` table, a whole data chunk per block, written straight from the block's typed
 * arrays into DuckDB's vectors: one memory copy per column instead of a call per value (which is what the generic
 * appender path costs, and what kept a year-long journal at ~2 s). The run id is one constant vector per chunk.
 */
export class HeartbeatAppender {
  private readonly chunk = DuckDBDataChunk.create(HEARTBEAT_COLUMNS.map(([, type]) => type));
  /** 64-bit integers written as pairs of 32-bit words (little-endian): no BigInt per value. */
  private readonly int64 = new Uint32Array(2 * 2048);
  /** List entries (offset, length), each a 64-bit integer, as 32-bit word pairs. */
  private readonly entries = new Uint32Array(4 * 2048);
  private readonly runIdValue;

  private constructor(
    private readonly appender: DuckDBAppender,
    runId: string,
  ) {
    this.runIdValue = bindings.create_varchar(runId);
  }

  static async open(connection: DuckDBConnection, runId: string): Promise<HeartbeatAppender> {
    return new HeartbeatAppender(await connection.createAppender('heartbeats'), runId);
  }

  /** The block's rows from `from` on (earlier ones were appended by an earlier call). */
  append(block: HeartbeatBlock, from = 0): void {
    const n = block.rows - from;
    if (n <= 0) return;
    const chunk = this.chunk;
    chunk.reset();
    chunk.rowCount = n;
    const raw = chunk.chunk;
    const vector = (c: number): RawVector => bindings.data_chunk_get_vector(raw, c);
    bindings.vector_reference_value(vector(0), this.runIdValue);
    this.bigints(vector(1), block.seq, from, n);
    this.bigints(vector(2), block.ts, from, n);
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
    this.list(vector(17), block.featureStart, block.features, from, n);
    this.list(vector(18), block.voteStart, block.voteModel, from, n);
    this.list(vector(19), block.voteStart, block.voteAction, from, n);
    this.list(vector(20), block.voteStart, block.voteConfidence, from, n);
    this.list(vector(21), block.voteStart, block.voteWeight, from, n);
    this.appender.appendDataChunk(chunk);
  }

  /** Hand the appended rows to the table (inside the connection's transaction, if one is open). */
  flushToTable(): void {
    this.appender.flushSync();
  }

  /** Flush and close: the rows are in the table (committed unless the connection is inside a transaction). */
  close(): void {
    this.appender.closeSync();
  }

  /** BIGINT from doubles holding integers (every journal time and seq is far below 2^53). */
  private bigints(target: RawVector, values: Float64Array, from: number, n: number): void {
    const out = this.int64;
    for (let i = 0; i < n; i++) {
      const v = values[from + i]!;
      out[2 * i] = v % TWO_32; // with the floor below, two’s complement for negatives too
      out[2 * i + 1] = Math.floor(v / TWO_32);
    }
    bindings.copy_data_to_vector(target, 0, out.buffer, 0, n * 8);
  }

  /** A list column: (offset, length) entries, then the flat child values. */
  private list(target: RawVector, start: Int32Array, values: Numbers, from: number, n: number): void {
    const first = start[from]!;
    const total = start[from + n]! - first;
    const entries = this.entries;
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
}

const TWO_32 = 2 ** 32;

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
    validity ??= new Uint8Array(2048 / 8).fill(0xff);
    validity[i >> 3]! &= ~(1 << (i & 7));
  }
  if (validity) {
    bindings.vector_ensure_validity_writable(target);
    bindings.copy_data_to_vector_validity(target, 0, validity.buffer, 0, validity.byteLength);
  }
}
