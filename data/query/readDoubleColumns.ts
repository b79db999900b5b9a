import { DuckDBTypeId, type DuckDBConnection, type DuckDBDoubleVector, type DuckDBValue } from '@duckdb/node-api';
import { invariantError } from '../../engine/index.ts';

/** Rows of a query as columns: every column holds exactly `length` values. */
export interface ColumnBatch {
  length: number;
  columns: Float64Array[];
}

/**
 * Read a query whose columns are all DOUBLE into one Float64Array per column, sized exactly;
 * NULL reads as NaN. The result is materialized, not streamed: DuckDB ends a streaming result
 * early, silently, when another query runs on the same connection (a concurrent load from the
 * same store, or the caller's own query between two batches), and a loader must never lose rows.
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
    for (let c = 0; c < width; c++) {
      const vector = chunk.getColumnVector(c) as DuckDBDoubleVector;
      const target = columns[c]!;
      for (let row = 0; row < rows; row++) target[filled + row] = vector.getItem(row) ?? Number.NaN;
    }
    filled += rows;
  }
  if (filled !== length) throw invariantError('SHORT_RESULT', `a loader query returned ${filled} of its ${length} rows`);
  return { length, columns };
}
