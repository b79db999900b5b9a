import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Interval } from '../../engine/index.ts';
import type { CandleColumns, FundingColumns, Market } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import type { Dataset, FileImportResult } from './ImportResult.ts';
import { findUnchanged, importStage } from './importStage.ts';
import { STAGE_COLUMNS, attachStaging, createStage, newStageName, timeColumn, type ImportTarget, type Stage } from './Stage.ts';

export interface CandleColumnsMeta {
  market: Market;
  symbol: string;
  interval: Interval;
  /** Where the columns came from, e.g. `synth:seed=7` or `ccxt:binanceusdm`; shown in reports and `imports`. */
  source: string;
  format: string;
}

export type FundingColumnsMeta = Omit<CandleColumnsMeta, 'interval'>;

/** Validate candles held in memory and merge them into `candles`, like a file (see importPaths). */
export async function importCandleColumns(store: Store, columns: CandleColumns, meta: CandleColumnsMeta): Promise<FileImportResult> {
  return importColumnSet(store, { dataset: 'candles', ...meta }, {
    open_time: columns.openTime,
    open: columns.open,
    high: columns.high,
    low: columns.low,
    close: columns.close,
    volume: columns.volume,
    quote_volume: columns.quoteVolume,
    trades: columns.trades,
    taker_buy_base: columns.takerBuyBase,
    taker_buy_quote: columns.takerBuyQuote,
  }, columns.length);
}

/** Mark-price candles held in memory into `mark_candles` (a volume column, if any, is ignored). */
export async function importMarkCandleColumns(store: Store, columns: CandleColumns, meta: CandleColumnsMeta): Promise<FileImportResult> {
  return importColumnSet(store, { dataset: 'mark_candles', ...meta }, {
    open_time: columns.openTime,
    open: columns.open,
    high: columns.high,
    low: columns.low,
    close: columns.close,
  }, columns.length);
}

/** Funding settlements held in memory into `funding_rates`. */
export async function importFundingColumns(store: Store, columns: FundingColumns, meta: FundingColumnsMeta): Promise<FileImportResult> {
  return importColumnSet(store, { dataset: 'funding_rates', ...meta }, {
    funding_time: columns.fundingTime,
    rate: columns.rate,
    mark_price: columns.markPrice,
  }, columns.length);
}

/** Stage column name → values. */
export type ColumnSet = Partial<Record<string, Float64Array | undefined>>;

/**
 * Stage columns through a DuckDB appender and import them with the same validation and merge as
 * files. The checksum covers the target and every value, so re-importing the same columns is 'unchanged'.
 */
async function importColumnSet(store: Store, target: ImportTarget, values: ColumnSet, length: number): Promise<FileImportResult> {
  const names = STAGE_COLUMNS[target.dataset];
  const hash = createHash('sha256').update(JSON.stringify([target.dataset, target.market, target.symbol, target.interval ?? null, length]));
  for (const name of names) {
    const column = values[name];
    hash.update(name);
    if (column) hash.update(new Uint8Array(column.buffer, column.byteOffset, length * Float64Array.BYTES_PER_ELEMENT));
  }
  const checksum = hash.digest('hex');
  const unchanged = await findUnchanged(store, target, checksum);
  if (unchanged) return unchanged;
  const stage = await stageColumns(store.connection, target, values, length);
  return importStage(store, stage, checksum);
}

/** Columns into a stage; they are checked by the same rules as files (NaN, order, OHLC, …). */
export async function stageColumns(connection: DuckDBConnection, target: ImportTarget, values: ColumnSet, length: number): Promise<Stage> {
  const dataset: Dataset = target.dataset;
  const names = STAGE_COLUMNS[dataset];
  await attachStaging(connection);
  const raw = newStageName();
  await connection.run(`CREATE TABLE ${raw} (${names.map((n) => `${n} DOUBLE`).join(', ')})`);
  try {
    const appender = await connection.createAppender(raw.slice(raw.indexOf('.') + 1), 'main', 'xylen_stage');
    const present = names.map((name) => values[name]);
    for (let row = 0; row < length; row++) {
      for (const column of present) {
        if (column === undefined) appender.appendNull();
        else appender.appendDouble(column[row]!);
      }
      appender.endRow();
    }
    appender.closeSync();
    const time = timeColumn(dataset);
    const select = names.map((n) => (n === time ? `CASE WHEN isfinite(${n}) AND ${n} = floor(${n}) THEN ${n}::BIGINT END AS ${n}` : n)).join(', ');
    return await createStage(connection, { target, firstLine: 1, lineKind: 'row' }, `SELECT ${select} FROM ${raw}`);
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${raw}`);
  }
}
