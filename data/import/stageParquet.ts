import type { DuckDBConnection } from '@duckdb/node-api';
import type { CsvLayout } from './detectFormat.ts';
import { createStage, type ImportTarget, type Stage } from './Stage.ts';
import { FILE_COLUMNS, quote, stageSelect } from './stageCsv.ts';

/** `read_parquet` of one file, for DuckDB's built-in Parquet reader. */
export const parquetRelation = (path: string): string => `read_parquet(${quote(path)})`;

/** The column names of a Parquet file (throws DuckDB's error when it is not one). */
export async function parquetColumns(connection: DuckDBConnection, path: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${parquetRelation(path)})`);
  return reader.getRows().map((row) => String(row[0]));
}

/**
 * A Parquet file of a known layout into a stage. Columns are cast to the layout's types; a value
 * that does not cast becomes empty, which validation reports with its row.
 */
export async function stageParquet(connection: DuckDBConnection, path: string, layout: CsvLayout, target: ImportTarget): Promise<Stage> {
  const typed = FILE_COLUMNS[layout].map(([column, type]) => `TRY_CAST("${column}" AS ${type}) AS ${column}`).join(', ');
  return createStage(connection, { target, firstLine: 1, lineKind: 'row' }, `SELECT ${stageSelect(layout, target)} FROM (SELECT ${typed} FROM ${parquetRelation(path)})`);
}
