import { BIGINT, DOUBLE, INTEGER, LIST, STRUCT, UTINYINT, VARCHAR, type DuckDBDataChunk } from '@duckdb/node-api';
import {
  bigintVector,
  constantVector,
  copyVector,
  emptyListVector,
  listVector,
  nullVector,
  setNulls,
  structListVector,
  textVector,
  varcharValue,
  vectorOf,
  type RawValue,
  type RawVector,
} from './chunkVectors.ts';
import type { HeartbeatBlock } from './HeartbeatBlock.ts';

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
  ['votes', LIST(STRUCT({ model: UTINYINT, action: UTINYINT, confidence: DOUBLE, weight: DOUBLE }))],
] as const;

/**
 * Rows `from … to` of a heartbeat block into a data chunk with the `heartbeats` columns, written straight from the
 * block's typed arrays into DuckDB's vectors: one memory copy per column instead of a call per value (the generic
 * path, which kept a year-long journal at ~2 s). The run id is one constant value for the whole chunk. A row whose
 * features are in the run's feature set stores NULL features.
 */
export function fillHeartbeatChunk(chunk: DuckDBDataChunk, runId: RawValue, block: HeartbeatBlock, from: number, to: number): void {
  const n = to - from;
  chunk.rowCount = n;
  const vector = (c: number): RawVector => vectorOf(chunk, c);
  constantVector(vector(0), runId);
  bigintVector(vector(1), block.seq, from, n);
  bigintVector(vector(2), block.ts, from, n);
  copyVector(vector(3), block.row, from, n);
  copyVector(vector(4), block.close, from, n);
  copyVector(vector(5), block.equity, from, n);
  copyVector(vector(6), block.wallet, from, n);
  copyVector(vector(7), block.quantity, from, n);
  copyVector(vector(8), block.markPrice, from, n);
  copyVector(vector(9), block.action, from, n);
  copyVector(vector(10), block.confidence, from, n);
  copyVector(vector(11), block.scoreLong, from, n);
  copyVector(vector(12), block.scoreShort, from, n);
  copyVector(vector(13), block.scoreHold, from, n);
  copyVector(vector(14), block.outcome, from, n);
  if (block.hasText(from, to)) {
    textVector(vector(15), block.missing, from, n);
    textVector(vector(16), block.detail, from, n);
  } else {
    nullVector(vector(15));
    nullVector(vector(16));
  }
  featuresVector(vector(17), block, from, n);
  structListVector(vector(18), block.voteStart, [block.voteModel, block.voteAction, block.voteConfidence, block.voteWeight], from, n);
}

/** The run id as the constant value `fillHeartbeatChunk` references. */
export function runIdValue(runId: string): RawValue {
  return varcharValue(runId);
}

/** The features column: the rows the block holds as lists, rows of the feature set (held there, not here) as NULL. */
function featuresVector(target: RawVector, block: HeartbeatBlock, from: number, n: number): void {
  if (block.allInSet(from)) {
    // Every row NULL (a replay's usual chunk): empty entries, as `listVector` writes for rows with no values.
    emptyListVector(target, n);
    nullVector(target);
    return;
  }
  listVector(target, block.stored, block.features, from, n);
  setNulls(target, block.inSet, from, n);
}
