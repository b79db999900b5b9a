import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { inputError } from '../../engine/index.ts';
import type { Store } from '../Store.ts';
import { summarize, type FileImportResult, type ImportOptions, type ImportProgress, type ImportReport } from './ImportResult.ts';
import { IMPORTABLE_EXTENSIONS, importFile } from './importFile.ts';

/** How often progress is reported while one file is imported. */
const PROGRESS_MS = 200;

/**
 * Import files and folders (recursively, in name order). Each file is atomic: it is stored whole or
 * rejected whole, and a rejected file does not stop the others. A path that does not exist is an
 * input error before anything is imported.
 *
 * Progress is counted in bytes of the input files, whose sizes are known up front. DuckDB reports no
 * row count while it reads a CSV, only how far through the running query it is; so within a file,
 * `bytesDone` moves with that fraction (never backwards, never past the file's size), and the file
 * counts whole once it is stored or rejected. One big file therefore shows movement while it is read;
 * validation and merging after the read show none.
 */
export async function importPaths(
  store: Store,
  paths: string[],
  options: ImportOptions,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportReport> {
  if (paths.length === 0) throw inputError('IMPORT_NO_PATHS', 'no files or folders to import', { hint: 'e.g. xylen data import ./BTCUSDT-1m-2024-01.zip' });
  const files: InputFile[] = [];
  const skipped: ImportReport['skipped'] = [];
  for (const path of paths) await collect(path, files, skipped, true);
  const bytesTotal = files.reduce((sum, file) => sum + file.bytes, 0);
  const results: FileImportResult[] = [];
  let rows = 0;
  let bytesDone = 0;
  for (const [i, file] of files.entries()) {
    const report = (fraction: number) =>
      onProgress?.({ file: file.path, filesDone: i, filesTotal: files.length, bytesDone: bytesDone + Math.floor(file.bytes * fraction), bytesTotal, rows });
    report(0);
    const work = () => importFile(store, file.path, options);
    for (const result of await (onProgress ? withQueryProgress(store.connection, report, work) : work())) {
      results.push(result);
      rows += result.rows;
    }
    bytesDone += file.bytes;
  }
  onProgress?.({ file: '', filesDone: files.length, filesTotal: files.length, bytesDone, bytesTotal, rows });
  return summarize(results, skipped);
}

interface InputFile {
  path: string;
  bytes: number;
}

/** Run `work`, reporting the largest fraction DuckDB has said it is through the running query, below 1. */
async function withQueryProgress<T>(connection: DuckDBConnection, report: (fraction: number) => void, work: () => Promise<T>): Promise<T> {
  // Without these DuckDB does not track progress; the bar itself is ours, so it must not print one.
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
  let fraction = 0;
  const timer = setInterval(() => {
    const now = Math.min(connection.progress.percentage / 100, 0.99); // -1 while no query runs
    if (now <= fraction) return;
    fraction = now;
    report(fraction);
  }, PROGRESS_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

async function collect(path: string, files: InputFile[], skipped: ImportReport['skipped'], named: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw inputError('IMPORT_PATH_MISSING', `no such file or folder: ${path}`, { where: path });
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path)).sort();
    for (const entry of entries) {
      if (!entry.startsWith('.')) await collect(join(path, entry), files, skipped, false);
    }
    return;
  }
  const extension = extname(path).toLowerCase();
  if ((IMPORTABLE_EXTENSIONS as readonly string[]).includes(extension)) files.push({ path, bytes: info.size });
  else skipped.push({ path, reason: named ? `not a file Xylen imports (${IMPORTABLE_EXTENSIONS.join(', ')})` : 'not market data' });
}
