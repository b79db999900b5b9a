import { DuckDBTypeId, type DuckDBConnection, type DuckDBDoubleVector, type DuckDBValue } from '@duckdb/node-api';
import { invariantError } from '../../engine/index.ts';

/** One batch of rows: every column holds exactly `length` values. */
export interface ColumnBatch {
  length: number;
  columns: Float64Array[];
}

/**
 * Stream a query whose columns are all DOUBLE into batches of at most `batchRows` rows, one
 * Float64Array per column; NULL reads as NaN. Streaming (rather than a materialized result) lets
 * DuckDB produce the next chunk while we copy this one, and bounds memory to one batch.
 */
export async function* readDoubleColumns(
  connection: DuckDBConnection,
  sql: string,
  params: DuckDBValue[],
  batchRows: number,
): AsyncGenerator<ColumnBatch> {
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw invariantError('BAD_BATCH_SIZE', `batch size must be a positive integer, got ${batchRows}`);
  }
  const result = await connection.stream(sql, params);
  const width = result.columnCount;
  for (let c = 0; c < width; c++) {
    if (result.columnTypeId(c) !== DuckDBTypeId.DOUBLE) {
      throw invariantError('NOT_DOUBLE_COLUMN', `column ${result.columnName(c)} of a loader query is not DOUBLE`);
    }
  }
  const allocate = () => Array.from({ length: width }, () => new Float64Array(batchRows));
  let columns = allocate();
  let filled = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    const vectors = Array.from({ length: width }, (_, c) => chunk.getColumnVector(c) as DuckDBDoubleVector);
    let offset = 0;
    while (offset < rows) {
      const take = Math.min(rows - offset, batchRows - filled);
      for (let c = 0; c < width; c++) {
        const vector = vectors[c]!;
        const target = columns[c]!;
        for (let i = 0; i < take; i++) target[filled + i] = vector.getItem(offset + i) ?? Number.NaN;
      }
      filled += take;
      offset += take;
      if (filled === batchRows) {
        yield { length: filled, columns };
        columns = allocate();
        filled = 0;
      }
    }
  }
  if (filled > 0) yield { length: filled, columns: columns.map((column) => column.subarray(0, filled)) };
}

/** Join batches end to end (the stream's batches back into one load). */
export function concatBatches(batches: readonly ColumnBatch[]): ColumnBatch {
  if (batches.length === 1) return batches[0]!;
  const width = batches[0]?.columns.length ?? 0;
  const length = batches.reduce((sum, batch) => sum + batch.length, 0);
  const columns = Array.from({ length: width }, () => new Float64Array(length));
  let offset = 0;
  for (const batch of batches) {
    batch.columns.forEach((column, c) => columns[c]!.set(column, offset));
    offset += batch.length;
  }
  return { length, columns };
}
