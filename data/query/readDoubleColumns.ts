import { DuckDBTypeId, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { invariantError } from '../../engine/index.ts';

/** Rows of a query as columns: every column holds exactly `length` values. */
export interface ColumnBatch {
  length: number;
  columns: Float64Array[];
}

/**
 * Read a query whose columns are all DOUBLE into one Float64Array per column, sized exactly; NULL reads as NaN.
 * Each column of a chunk is one memory copy, then NaN where the chunk's validity mask, if it has one, marks a NULL
 * (a call per value cost a fresh process ~0.1 s over a year of 1m). The result is materialized, not streamed: DuckDB
 * ends a streaming result early, silently, when another query runs on the same connection (a concurrent load from
 * the same store, or the caller's own query between two batches), and a loader must never lose rows.
 */
export async function readDoubleColumns(connection: DuckDBConnection, sql: string, params: DuckDBValue[]): Promise<ColumnBatch> {
  const result = await connection.run(sql, params);
  const width = result.columnCount;
  for (let c = 0; c < width; c++) {
    if (result.columnTypeId(c) !== DuckDBTypeId.DOUBLE) {
      throw invariantError('NOT_DOUBLE_COLUMN', `column ${result.columnName(c)} of a loader query is not DOUBLE`);
    }
  }
  const length = result.rowCount;
  const columns = Array.from({ length: width }, () => new Float64Array(length));
  let filled = 0;
  for (let i = 0; i < result.chunkCount; i++) {
    const chunk = result.getChunk(i);
    const rows = chunk.rowCount;
    for (let c = 0; c < width; c++) copyDoubles(bindings.data_chunk_get_vector(chunk.chunk, c), rows, columns[c]!, filled);
    filled += rows;
  }
  if (filled !== length) throw invariantError('SHORT_RESULT', `a loader query returned ${filled} of its ${length} rows`);
  return { length, columns };
}

/** `rows` doubles of a DOUBLE vector into target[at ..], NULLs as NaN. */
function copyDoubles(vector: ReturnType<typeof bindings.data_chunk_get_vector>, rows: number, target: Float64Array, at: number): void {
  const bytes = rows * Float64Array.BYTES_PER_ELEMENT;
  // Bytes to bytes: the vector's data need not sit at an offset a Float64Array view could start at.
  new Uint8Array(target.buffer, target.byteOffset + at * Float64Array.BYTES_PER_ELEMENT, bytes).set(bindings.vector_get_data(vector, bytes));
  // No mask (null, whatever the typings say) means every row is valid; bit k of the mask is row k.
  const mask = bindings.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null;
  if (!mask) return;
  for (let row = 0; row < rows; row++) {
    if ((mask[row >> 3]! & (1 << (row & 7))) === 0) target[at + row] = Number.NaN;
  }
}
