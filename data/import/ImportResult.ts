import type { Interval } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';

/** The store table a dataset goes to. */
export type Dataset = 'candles' | 'mark_candles' | 'funding_rates';

/** One thing wrong with an input. `line` is the 1-based line of a file (or row of a column set). */
export interface ImportProblem {
  line?: number;
  message: string;
}

/**
 * What happened to one file (or one CSV inside a zip, or one set of columns).
 * - 'imported': validated and merged; `rowsAdded` rows were new (the rest were already stored, identical).
 * - 'unchanged': the same bytes were imported before (same checksum and target); nothing was read.
 * - 'rejected': the whole file was refused (see `problems`); nothing in the store changed.
 */
export interface FileImportResult {
  /** The file path, `zip!entry` for a CSV inside a zip, or the caller's source name for columns. */
  source: string;
  format: string;
  status: 'imported' | 'unchanged' | 'rejected';
  dataset?: Dataset;
  market?: Market;
  symbol?: string;
  interval?: Interval;
  rows: number;
  rowsAdded: number;
  firstTime?: number;
  lastTime?: number;
  /** Why the file was rejected: up to MAX_PROBLEMS entries, in line order. */
  problems: ImportProblem[];
  /** Things worth knowing that did not stop the import (identical duplicate rows collapsed, a skipped file). */
  notes: string[];
}

export interface ImportReport {
  files: FileImportResult[];
  /** Paths seen but not imported because they are not market data (README.md, …). */
  skipped: { path: string; reason: string }[];
  imported: number;
  unchanged: number;
  rejected: number;
  rows: number;
  rowsAdded: number;
}

/** Flags that fill in what a file's name and path do not say. */
export interface ImportOptions {
  symbol?: string;
  interval?: Interval;
  market?: Market;
  /** Used when neither the path nor `market` says (the config's `market`); default 'usdm'. */
  defaultMarket?: Market;
}

/** Where an import of several files is (see importPaths). */
export interface ImportProgress {
  /** The file being imported ('' at the end). */
  file: string;
  filesDone: number;
  filesTotal: number;
  /** Bytes of the input files: whole for the files done, a share of the current one as DuckDB reads it. */
  bytesDone: number;
  bytesTotal: number;
  /** Rows read from the files done. */
  rows: number;
}

/** Problems listed per file; past this the rest are summarised in one line. */
export const MAX_PROBLEMS = 20;

/** `file:line: message`, the form every problem is shown in. */
export function describeProblem(source: string, problem: ImportProblem): string {
  return problem.line === undefined ? `${source}: ${problem.message}` : `${source}:${problem.line}: ${problem.message}`;
}

export function summarize(files: FileImportResult[], skipped: ImportReport['skipped']): ImportReport {
  const count = (status: FileImportResult['status']) => files.filter((f) => f.status === status).length;
  return {
    files,
    skipped,
    imported: count('imported'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
    rows: files.reduce((sum, f) => sum + f.rows, 0),
    rowsAdded: files.reduce((sum, f) => sum + f.rowsAdded, 0),
  };
}
