import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { inputError } from '../../engine/index.ts';
import type { Store } from '../Store.ts';
import { summarize, type FileImportResult, type ImportOptions, type ImportProgress, type ImportReport } from './ImportResult.ts';
import { IMPORTABLE_EXTENSIONS, importFile } from './importFile.ts';

/**
 * Import files and folders (recursively, in name order). Each file is atomic: it is stored whole or
 * rejected whole, and a rejected file does not stop the others. A path that does not exist is an
 * input error before anything is imported.
 */
export async function importPaths(
  store: Store,
  paths: string[],
  options: ImportOptions,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportReport> {
  if (paths.length === 0) throw inputError('IMPORT_NO_PATHS', 'no files or folders to import', { hint: 'e.g. xylen data import ./BTCUSDT-1m-2024-01.zip' });
  const files: string[] = [];
  const skipped: ImportReport['skipped'] = [];
  for (const path of paths) await collect(path, files, skipped, true);
  const results: FileImportResult[] = [];
  let rows = 0;
  for (const [i, file] of files.entries()) {
    onProgress?.({ file, filesDone: i, filesTotal: files.length, rows });
    for (const result of await importFile(store, file, options)) {
      results.push(result);
      rows += result.rows;
    }
  }
  onProgress?.({ file: '', filesDone: files.length, filesTotal: files.length, rows });
  return summarize(results, skipped);
}

async function collect(path: string, files: string[], skipped: ImportReport['skipped'], named: boolean): Promise<void> {
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
  if ((IMPORTABLE_EXTENSIONS as readonly string[]).includes(extension)) files.push(path);
  else skipped.push({ path, reason: named ? `not a file Xylen imports (${IMPORTABLE_EXTENSIONS.join(', ')})` : 'not market data' });
}
