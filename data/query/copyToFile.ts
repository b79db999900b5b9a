import { renameSync, rmSync } from 'node:fs';
import { extname } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { inputError } from '../../engine/index.ts';
import { checkOutputFile } from '../outputPaths.ts';

export type ExportFormat = 'parquet' | 'csv';

/** An output file checked before any work: its format and absolute path. */
export interface ExportTarget {
  path: string;
  format: ExportFormat;
}

/** The file format named by the output's extension (.parquet or .csv), or an input error. */
export function exportFormat(path: string): ExportFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.parquet') return 'parquet';
  if (extension === '.csv') return 'csv';
  throw inputError('BAD_EXPORT_FORMAT', `cannot export to "${path}": the format comes from the extension, and "${extension || '(none)'}" is not one Xylen writes`, {
    where: '--out',
    hint: 'end the file name with .parquet or .csv',
  });
}

/** Check an `--out` path (known extension, existing folder, not a folder itself) so a bad one is refused before the export does its work. */
export function exportTarget(out: string): ExportTarget {
  const format = exportFormat(out);
  return { path: checkOutputFile(out, '--out', 'EXPORT'), format };
}

/**
 * Write the rows of `select` to the target with DuckDB's COPY and return how many were written.
 * The file appears whole or not at all: COPY writes `PATH.partial`, which is renamed into place
 * (replacing an existing file) only when COPY has finished, and removed otherwise.
 */
export async function copyQueryToFile(connection: DuckDBConnection, select: string, params: DuckDBValue[], target: ExportTarget): Promise<number> {
  const partial = `${target.path}.partial`;
  const options = target.format === 'parquet' ? '(FORMAT parquet)' : '(FORMAT csv, HEADER true)';
  try {
    const result = await connection.run(`COPY (${select}) TO ${sqlString(partial)} ${options}`, params);
    renameSync(partial, target.path);
    return result.rowsChanged;
  } finally {
    rmSync(partial, { force: true });
  }
}

/** A string literal for the one place SQL cannot take a parameter (COPY's target). */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
