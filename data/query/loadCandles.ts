import type { DuckDBValue } from '@duckdb/node-api';
import { intervalMs, invariantError } from '../../engine/index.ts';
import type { CandleColumns, FundingColumns, Market, SeriesKey } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { readDoubleColumns, type ColumnBatch } from './readDoubleColumns.ts';
import { requireSeries } from './seriesNotStoredError.ts';
import { SERIES_TABLE, type SeriesKind } from './SeriesKind.ts';
import { rangeConditions, type TimeRange } from './TimeRange.ts';

/** Mark-price candles: prices only (Binance reports their volume as 0, so the store keeps none). */
export type PriceColumns = Pick<CandleColumns, 'length' | 'openTime' | 'open' | 'high' | 'low' | 'close'>;

/** Funding rates belong to a market and symbol, not to a candle interval. */
export type FundingKey = Omit<SeriesKey, 'interval'>;

export const DEFAULT_BATCH_ROWS = 131_072;

/**
 * Load one candle series into Float64Array columns, ordered by open time. The range is half-open:
 * candles with `from <= openTime < to`. An optional column (quote volume, trades, taker volumes)
 * is present when any candle in the range has it; candles without it read NaN there.
 *
 * Throws SERIES_NOT_STORED when the store has no such series (it never resamples silently; the
 * error names the intervals that are stored and the `xylen data resample` command to run).
 */
export async function loadCandles(store: Store, key: SeriesKey, range: TimeRange = {}): Promise<CandleColumns> {
  const query = await candleQuery(store, key, range);
  return toCandleColumns(await readDoubleColumns(store.connection, query.sql, query.params), query.present);
}

/**
 * The same rows as `loadCandles`, in batches of at most `batchRows`, so years of 1m candles never
 * need one allocation. Each batch is one query over a time window of `batchRows` intervals (so a
 * gap makes a short batch), and owns its arrays.
 */
export async function* streamCandles(
  store: Store,
  key: SeriesKey,
  range: TimeRange = {},
  batchRows = DEFAULT_BATCH_ROWS,
): AsyncIterable<CandleColumns> {
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw invariantError('BAD_BATCH_SIZE', `batch size must be a positive integer, got ${batchRows}`);
  }
  const query = await candleQuery(store, key, range);
  if (query.rows === 0) return;
  const span = batchRows * intervalMs(key.interval);
  for (let from = query.first; from <= query.last; from += span) {
    const window = query.window(from, from + span);
    const batch = await readDoubleColumns(store.connection, window.sql, window.params);
    // Off-grid open times could put more than batchRows in a window: split rather than exceed the bound.
    for (let start = 0; start < batch.length; start += batchRows) {
      const end = Math.min(start + batchRows, batch.length);
      yield toCandleColumns({ length: end - start, columns: batch.columns.map((column) => column.subarray(start, end)) }, query.present);
    }
  }
}

/** Mark-price candles of one series, as `loadCandles` (same range rule and errors). */
export async function loadMarkCandles(store: Store, key: SeriesKey, range: TimeRange = {}): Promise<PriceColumns> {
  const query = await seriesQuery(store, 'mark', key, range, ['open_time', 'open', 'high', 'low', 'close'], []);
  const { length, columns } = await readDoubleColumns(store.connection, query.sql, query.params);
  const [openTime, open, high, low, close] = columns as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { length, openTime, open, high, low, close };
}

/** Funding settlements with `from <= fundingTime < to`; `markPrice` is present when any row has it. */
export async function loadFunding(store: Store, key: FundingKey, range: TimeRange = {}): Promise<FundingColumns> {
  const query = await seriesQuery(store, 'funding', key, range, ['funding_time', 'rate'], ['mark_price']);
  const { length, columns } = await readDoubleColumns(store.connection, query.sql, query.params);
  const [fundingTime, rate, markPrice] = columns as [Float64Array, Float64Array, Float64Array | undefined];
  return markPrice ? { length, fundingTime, rate, markPrice } : { length, fundingTime, rate };
}

const CANDLE_REQUIRED = ['open_time', 'open', 'high', 'low', 'close', 'volume'];
const CANDLE_OPTIONAL = { quote_volume: 'quoteVolume', trades: 'trades', taker_buy_base: 'takerBuyBase', taker_buy_quote: 'takerBuyQuote' } as const;

function candleQuery(store: Store, key: SeriesKey, range: TimeRange): Promise<SeriesQuery> {
  return seriesQuery(store, 'candles', key, range, CANDLE_REQUIRED, Object.keys(CANDLE_OPTIONAL));
}

function toCandleColumns({ length, columns }: ColumnBatch, present: readonly string[]): CandleColumns {
  const [openTime, open, high, low, close, volume, ...optional] = columns as Float64Array[];
  const result: CandleColumns = { length, openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
  present.forEach((column, i) => {
    result[CANDLE_OPTIONAL[column as keyof typeof CANDLE_OPTIONAL]] = optional[i]!;
  });
  return result;
}

interface SeriesQuery {
  sql: string;
  params: DuckDBValue[];
  /** The same query limited to times in `[from, to)`. */
  window: (from: number, to: number) => { sql: string; params: DuckDBValue[] };
  rows: number;
  first: number;
  last: number;
  /** The optional columns selected (after the required ones), in order. */
  present: string[];
}

/**
 * Count the rows first: the count says which optional columns carry data, gives the time span the
 * stream walks in windows, and tells a missing series (an error) from an empty range (an empty result).
 */
async function seriesQuery(
  store: Store,
  kind: SeriesKind,
  key: { market: Market; symbol: string; interval?: SeriesKey['interval'] },
  range: TimeRange,
  required: readonly string[],
  optional: readonly string[],
): Promise<SeriesQuery> {
  const table = SERIES_TABLE[kind];
  const keyConditions = kind === 'funding' ? ['market = $1', 'symbol = $2'] : ['market = $1', 'symbol = $2', 'interval = $3'];
  const keyParams: DuckDBValue[] = kind === 'funding' ? [key.market, key.symbol] : [key.market, key.symbol, key.interval ?? null];
  const timeColumn = required[0]!;
  const time = rangeConditions(timeColumn, range, keyParams.length + 1);
  const where = [...keyConditions, ...time.conditions].join(' AND ');
  const params = [...keyParams, ...time.params];

  const counts = optional.map((column) => `count(${column}) AS ${column}`);
  const [row] = await store.all(
    `SELECT ${['count(*) AS n', `min(${timeColumn}) AS first`, `max(${timeColumn}) AS last`, ...counts].join(', ')} FROM ${table} WHERE ${where}`,
    params,
  );
  const rows = Number(row?.['n'] ?? 0);
  if (rows === 0) await requireSeries(store, kind, key);
  const present = optional.filter((column) => Number(row?.[column] ?? 0) > 0);
  const select = [...required, ...present].map((column) => `${column}::DOUBLE`).join(', ');
  const sql = (extra: string) => `SELECT ${select} FROM ${table} WHERE ${where}${extra} ORDER BY ${timeColumn}`;
  const next = params.length + 1;
  return {
    sql: sql(''),
    params,
    window: (from, to) => ({ sql: sql(` AND ${timeColumn} >= $${next} AND ${timeColumn} < $${next + 1}`), params: [...params, BigInt(from), BigInt(to)] }),
    rows,
    first: Number(row?.['first'] ?? 0),
    last: Number(row?.['last'] ?? 0),
    present,
  };
}
