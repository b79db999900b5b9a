import type { DuckDBValue } from '@duckdb/node-api';
import { inputError, type Interval } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { copyQueryToFile, exportTarget, type ExportFormat } from './copyToFile.ts';
import { requireSeries } from './seriesNotStoredError.ts';
import { SERIES_TABLE, type SeriesKind } from './SeriesKind.ts';
import { rangeConditions, type TimeRange } from './TimeRange.ts';

export interface ExportRequest {
  kind: SeriesKind;
  /** `interval` is needed for candles and mark-price candles, ignored for funding. */
  key: { market: Market; symbol: string; interval?: Interval };
  range?: TimeRange;
  out: string;
}

export interface ExportResult {
  path: string;
  format: ExportFormat;
  rows: number;
}

/**
 * The exported columns: the store's own names, times as Unix ms, every optional column present
 * (empty where unknown) so the layout is one per kind. The first columns match the plain import
 * formats (`open_time,open,high,low,close,volume` and `funding_time,funding_rate`); `market` comes
 * last on every row, so a SYNTHETIC series exported and shared never passes for market data.
 */
const COLUMNS: Record<SeriesKind, string> = {
  candles: 'open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base, taker_buy_quote, market',
  mark: 'open_time, open, high, low, close, market',
  funding: 'funding_time, rate AS funding_rate, mark_price, market',
};

/**
 * Write one series (in `[from, to)`, ordered by time) to a Parquet or CSV file with DuckDB's COPY.
 * The file appears whole or not at all (see copyQueryToFile).
 */
export async function exportSeries(store: Store, request: ExportRequest): Promise<ExportResult> {
  const target = exportTarget(request.out);
  const { kind, key } = request;
  const timeColumn = kind === 'funding' ? 'funding_time' : 'open_time';
  const keyConditions = kind === 'funding' ? ['market = $1', 'symbol = $2'] : ['market = $1', 'symbol = $2', 'interval = $3'];
  const params: DuckDBValue[] = kind === 'funding' ? [key.market, key.symbol] : [key.market, key.symbol, key.interval ?? null];
  const time = rangeConditions(timeColumn, request.range ?? {}, params.length + 1);
  const where = [...keyConditions, ...time.conditions].join(' AND ');
  const allParams = [...params, ...time.params];

  const [count] = await store.all(`SELECT count(*) AS n FROM ${SERIES_TABLE[kind]} WHERE ${where}`, allParams);
  if (Number(count?.['n'] ?? 0) === 0) {
    await requireSeries(store, kind, key);
    throw inputError('NOTHING_TO_EXPORT', 'the series has no rows in the given time range', { where: '--from/--to', hint: 'see its span with `xylen data ls`' });
  }

  const select = `SELECT ${COLUMNS[kind]} FROM ${SERIES_TABLE[kind]} WHERE ${where} ORDER BY ${timeColumn}`;
  return { ...target, rows: await copyQueryToFile(store.connection, select, allParams, target) };
}
