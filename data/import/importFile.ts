import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { unzipSync } from 'fflate';
import { XylenError } from '../../engine/index.ts';
import type { Store } from '../Store.ts';
import type { FileImportResult, ImportOptions, ImportProblem } from './ImportResult.ts';
import { csvShape, factsFromPath, hasMarketColumn, layoutDataset, layoutFromColumns, marketColumn, resolveTarget, type CsvLayout, type NameFacts } from './detectFormat.ts';
import { stageColumns } from './importColumns.ts';
import { findUnchanged, importStage, recordRejection } from './importStage.ts';
import { csvTextRelation, stageCsv } from './stageCsv.ts';
import { parquetColumns, parquetRelation, stageParquet } from './stageParquet.ts';
import type { ImportTarget, Stage } from './Stage.ts';

/** File extensions `importFile` reads; anything else in a folder is skipped with a note. */
export const IMPORTABLE_EXTENSIONS = ['.csv', '.zip', '.feather', '.json', '.parquet'] as const;

/**
 * Import one file: a CSV, a zip of CSVs (one result per CSV inside), a freqtrade feather or JSON file,
 * or a Parquet file as `xylen data export` writes it.
 * Never throws for bad content: a file that cannot be read is a 'rejected' result.
 */
export async function importFile(store: Store, path: string, options: ImportOptions): Promise<FileImportResult[]> {
  switch (extname(path).toLowerCase()) {
    case '.zip':
      return importZip(store, path, options);
    case '.feather':
    case '.json':
      return [await importFreqtrade(store, path, options)];
    case '.parquet':
      return [await importParquet(store, path, options)];
    default:
      return [await importCsv(store, path, path, factsFromPath(path), await sha256File(path), options)];
  }
}

async function importCsv(store: Store, path: string, source: string, facts: NameFacts, checksum: string, options: ImportOptions): Promise<FileImportResult> {
  return guarded(store, source, 'csv', checksum, async () => {
    const firstLine = await readFirstLine(path);
    if (firstLine.trim() === '') return { problems: [{ message: 'empty file' }] };
    const shape = csvShape(firstLine);
    if (typeof shape === 'string') return { problems: [{ line: 1, message: shape }] };
    return importTable(store, source, facts, checksum, options, {
      layout: shape.layout,
      format: `${shape.layout}-csv`,
      textRelation: csvTextRelation(path, shape),
      firstLine: shape.header ? 2 : 1,
      stage: (target) => stageCsv(store.connection, path, shape, target),
    });
  });
}

async function importParquet(store: Store, path: string, options: ImportOptions): Promise<FileImportResult> {
  const checksum = await sha256File(path);
  return guarded(store, path, 'parquet', checksum, async () => {
    let columns;
    try {
      columns = await parquetColumns(store.connection, path);
    } catch (error) {
      return { problems: [{ message: `not a readable Parquet file (${(error as Error).message})` }] };
    }
    const layout = layoutFromColumns(columns);
    if (layout === undefined) return { problems: [{ message: `unknown Parquet columns "${columns.join(',')}"` }] };
    return importTable(store, path, factsFromPath(path), checksum, options, {
      layout,
      format: `${layout}-parquet`,
      textRelation: parquetRelation(path),
      firstLine: 1,
      stage: async (target) => ({ stage: await stageParquet(store.connection, path, layout, target) }),
    });
  });
}

/** A CSV or Parquet file whose layout is known, and how to read it. */
interface TableFile {
  layout: CsvLayout;
  format: string;
  /** The file as a DuckDB relation, for reading its market column before staging. */
  textRelation: string;
  /** The line (or row) number of the first data row. */
  firstLine: number;
  stage: (target: ImportTarget) => Promise<{ stage: Stage } | { problems: ImportProblem[] }>;
}

async function importTable(store: Store, source: string, facts: NameFacts, checksum: string, options: ImportOptions, file: TableFile): Promise<Attempt> {
  const market = hasMarketColumn(file.layout) ? await marketColumn(store.connection, file.textRelation, file.firstLine) : undefined;
  if (Array.isArray(market)) return { problems: market };
  const contents = { dataset: layoutDataset(file.layout), format: file.format, ...(market === undefined ? {} : { market }) };
  const target = resolveTarget(source, facts, contents, options);
  const unchanged = await findUnchanged(store, target, checksum);
  if (unchanged) return unchanged;
  const staged = await file.stage(target);
  if ('problems' in staged) return { target, problems: staged.problems };
  return importStage(store, staged.stage, checksum);
}

/** Binance publishes each month or day as a zip holding one CSV of the same name. */
async function importZip(store: Store, path: string, options: ImportOptions): Promise<FileImportResult[]> {
  const bytes = await readFile(path);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (file) => file.name.toLowerCase().endsWith('.csv') && !file.name.startsWith('__MACOSX/') });
  } catch (error) {
    return [await recordRejection(store, { source: path, format: 'zip' }, sha256(bytes), [{ message: `not a readable zip file (${(error as Error).message})` }])];
  }
  const names = Object.keys(entries).sort();
  if (names.length === 0) return [await recordRejection(store, { source: path, format: 'zip' }, sha256(bytes), [{ message: 'the zip holds no CSV file' }])];
  const dir = await mkdtemp(join(tmpdir(), 'xylen-unzip-'));
  try {
    const results: FileImportResult[] = [];
    for (const [i, name] of names.entries()) {
      const data = entries[name]!;
      const file = join(dir, `${i}.csv`);
      await writeFile(file, data);
      // The zip's folders (futures/um, markPriceKlines, …) say as much as the entry's own name.
      const facts = factsFromPath(join(dirname(path), basename(name)));
      results.push(await importCsv(store, file, `${path}!${name}`, facts, sha256(data), options));
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function importFreqtrade(store: Store, path: string, options: ImportOptions): Promise<FileImportResult> {
  const isJson = extname(path).toLowerCase() === '.json';
  const format = isJson ? 'freqtrade-json' : 'freqtrade-feather';
  const bytes = await readFile(path);
  const checksum = sha256(bytes);
  return guarded(store, path, format, checksum, async () => {
    if (bytes.length === 0) return { problems: [{ message: 'empty file' }] };
    const facts = factsFromPath(path);
    const dataset = facts.dataset ?? 'candles';
    const target = resolveTarget(path, facts, { dataset, format }, options);
    const unchanged = await findUnchanged(store, target, checksum);
    if (unchanged) return unchanged;
    // Loaded here, not at the top: its apache-arrow takes ~0.15 s to load, which every command would pay.
    const { readFeather, readFreqtradeJson } = await import('./readFreqtrade.ts');
    let read;
    try {
      read = isJson ? readFreqtradeJson(bytes.toString('utf8'), dataset) : readFeather(bytes, dataset);
    } catch (error) {
      return { target, problems: [{ message: `cannot read this ${format} file: ${(error as Error).message}` }] };
    }
    return importStage(store, await stageColumns(store.connection, target, read.values, read.length), checksum);
  });
}

type Attempt = FileImportResult | { target?: ImportTarget; problems: ImportProblem[] };

/** Turn early refusals (unknown layout, missing --symbol, unreadable bytes) into recorded rejections. */
async function guarded(store: Store, source: string, format: string, checksum: string, work: () => Promise<Attempt>): Promise<FileImportResult> {
  let attempt: Attempt;
  try {
    attempt = await work();
  } catch (error) {
    if (!(error instanceof XylenError) || error.kind !== 'input') throw error;
    attempt = { problems: [{ message: error.hint ? `${error.message} (${error.hint})` : error.message }] };
  }
  if ('status' in attempt) return attempt;
  return recordRejection(store, attempt.target ?? { source, format }, checksum, attempt.problems);
}

async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/)[0] ?? '';
  } finally {
    await handle.close();
  }
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 4 << 20 }), hash); // 4 MiB reads: ~10 % faster than 1 MiB on big files
  return hash.digest('hex');
}
