import type { DuckDBConnection } from '@duckdb/node-api';
import type { Interval } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';
import type { Dataset } from './ImportResult.ts';

/** Where staged rows go and what they are: everything but the rows themselves. */
export interface ImportTarget {
  dataset: Dataset;
  market: Market;
  symbol: string;
  /** Required for candles and mark candles; absent for funding rates. */
  interval?: Interval;
  /** The file path, `zip!entry`, or the caller's name for a set of columns. */
  source: string;
  format: string;
}

/**
 * A temporary table holding one input's rows, in input order, with the dataset's column names
 * (see STAGE_COLUMNS). Row `rowid` came from line `rowid + firstLine` of the input; `lineKind` says
 * whether that number is a text line (CSV) or a row index (Arrow, JSON, columns).
 */
export interface Stage {
  table: string;
  target: ImportTarget;
  firstLine: number;
  lineKind: 'line' | 'row';
}

/** The columns a stage of each dataset has, in order; the first is the time key. */
export const STAGE_COLUMNS = {
  candles: ['open_time', 'open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trades', 'taker_buy_base', 'taker_buy_quote'],
  mark_candles: ['open_time', 'open', 'high', 'low', 'close'],
  funding_rates: ['funding_time', 'rate', 'mark_price'],
} as const satisfies Record<Dataset, readonly string[]>;

/** Columns that must hold a finite number on every row (the others may be empty). */
export const REQUIRED_COLUMNS = {
  candles: ['open_time', 'open', 'high', 'low', 'close', 'volume'],
  mark_candles: ['open_time', 'open', 'high', 'low', 'close'],
  funding_rates: ['funding_time', 'rate'],
} as const satisfies Record<Dataset, readonly string[]>;

export const timeColumn = (dataset: Dataset): 'open_time' | 'funding_time' => STAGE_COLUMNS[dataset][0];

let stageCounter = 0;
/**
 * Stages live in an attached in-memory database: building a multi-million-row stage there takes
 * about half the time of a TEMP table (measured with bench/importBench.ts), and nothing of it
 * reaches the store file.
 */
export const newStageName = (): string => `xylen_stage.import_stage_${++stageCounter}`;

export async function attachStaging(connection: DuckDBConnection): Promise<void> {
  await connection.run(`ATTACH IF NOT EXISTS ':memory:' AS xylen_stage`);
}

// Binance spot files carry microseconds from 2025 on; no millisecond time reaches 1e14 before the year 5138.
const toMs = (column: string) => `CASE WHEN ${column} >= 100000000000000 THEN ${column} // 1000 ELSE ${column} END`;

/**
 * Create the stage from `select`, a query whose columns carry the dataset's names (raw times in ms
 * or µs). Times become ms; funding times are rounded to the second, because Binance stamps a
 * settlement a few ms after the hour and two records of the same settlement must meet.
 */
export async function createStage(connection: DuckDBConnection, stage: Omit<Stage, 'table'> & { table?: string }, select: string): Promise<Stage> {
  await attachStaging(connection);
  const table = stage.table ?? newStageName();
  const columns = STAGE_COLUMNS[stage.target.dataset].map((column) => {
    if (column === 'open_time') return `${toMs(column)} AS open_time`;
    if (column === 'funding_time') return `CAST(round((${toMs(column)}) / 1000.0) AS BIGINT) * 1000 AS funding_time`;
    return column;
  });
  await connection.run(`CREATE OR REPLACE TABLE ${table} AS SELECT ${columns.join(', ')} FROM (${select})`);
  return { ...stage, table };
}

export async function dropStage(connection: DuckDBConnection, stage: Stage): Promise<void> {
  await connection.run(`DROP TABLE IF EXISTS ${stage.table}`);
}
