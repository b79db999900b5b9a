import type { DuckDBValue } from '@duckdb/node-api';
import { inputError, intervalMs, type Interval } from '../../engine/index.ts';
import type { SeriesKey } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { requireSeries } from './seriesNotStoredError.ts';
import type { TimeRange } from './TimeRange.ts';
import { checkRange, rangeConditions } from './TimeRange.ts';

/** One resampled candle, with how many source candles it was made of. */
export interface ResampledBucket {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Null when any source candle lacks the value: a partial sum would pass for a whole one. */
  quoteVolume: number | null;
  trades: number | null;
  takerBuyBase: number | null;
  takerBuyQuote: number | null;
  /** Source candles in the bucket. */
  count: number;
  /** True when every source candle of the bucket is stored (count = target / source). */
  complete: boolean;
}

/** The longest target we resample to: Binance aligns 3d and 1w candles otherwise than to UTC epoch multiples. */
const LONGEST_TARGET: Interval = '1d';

/** Check that `target` is a whole multiple of `source` we can align; returns the ratio. */
export function resampleRatio(source: Interval, target: Interval, where = '--to'): number {
  const ratio = intervalMs(target) / intervalMs(source);
  if (!Number.isInteger(ratio) || ratio < 2) {
    throw inputError('BAD_RESAMPLE_TARGET', `cannot resample ${source} to ${target}: the target must be a multiple (≥ 2×) of the source interval`, {
      where,
      hint: `for ${source} candles use e.g. ${resampleExamples(source)}`,
    });
  }
  if (intervalMs(target) > intervalMs(LONGEST_TARGET)) {
    throw inputError('BAD_RESAMPLE_TARGET', `cannot resample to ${target}: buckets are aligned to UTC epoch multiples, which Binance's ${target} candles are not`, {
      where,
      hint: `resample to ${LONGEST_TARGET} or shorter`,
    });
  }
  return ratio;
}

function resampleExamples(source: Interval): string {
  const targets: Interval[] = ['5m', '15m', '1h', '4h', '1d'];
  return targets.filter((t) => intervalMs(t) > intervalMs(source) && intervalMs(t) % intervalMs(source) === 0).join(', ') || LONGEST_TARGET;
}

/**
 * The source rows that make the buckets whose open time is in `range`: from the first bucket start
 * at or after `from` to the first at or after `to` (exclusive). Undefined when no bucket starts in the range.
 */
export function alignedSourceRange(range: TimeRange, target: Interval): TimeRange | undefined {
  checkRange(range);
  const width = intervalMs(target);
  const alignUp = (ms: number | undefined) => (ms === undefined ? undefined : Math.ceil(ms / width) * width);
  const from = alignUp(range.from);
  const to = alignUp(range.to);
  return from !== undefined && to !== undefined && from >= to ? undefined : { from, to };
}

/**
 * The SELECT that makes target buckets from source candles, entirely inside DuckDB. Buckets start at
 * UTC epoch multiples of the target interval; the range selects buckets whose open time is in
 * `[from, to)`, so the source rows read are those from the first whole bucket at or after `from`
 * up to the bucket containing `to` (exclusive): a range never cuts a bucket in two.
 * Columns: open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base,
 * taker_buy_quote, n (source candles), complete.
 */
export function bucketQuery(source: SeriesKey, target: Interval, range: TimeRange, firstParam = 1): { sql: string; params: DuckDBValue[] } {
  const ratio = resampleRatio(source.interval, target);
  const width = intervalMs(target);
  const aligned = alignedSourceRange(range, target);
  // A short range can lie inside one bucket and so contain no bucket start: no buckets, not an error.
  const time = rangeConditions('open_time', aligned ?? {}, firstParam + 3);
  const where = [`market = $${firstParam}`, `symbol = $${firstParam + 1}`, `interval = $${firstParam + 2}`, ...time.conditions, ...(aligned ? [] : ['false'])].join(' AND ');
  // Sums in time order: a parallel scan adds a bucket's candles in an order that can change from one run to the next
  // (when the bucket spans two row groups), and a floating-point sum would then differ in its last bit. In time
  // order they are the same doubles as resampleColumns' (which the replay uses: this sort costs ~1 s a year of 1m).
  const orderedSum = (column: string) => `sum(${column} ORDER BY open_time)`;
  // Sums of a nullable column only when no candle of the bucket lacks it.
  const wholeSum = (column: string) => `CASE WHEN count(${column}) = count(*) THEN ${orderedSum(column)} END AS ${column}`;
  const sql = `
    SELECT bucket AS open_time,
           arg_min(open, open_time) AS open, max(high) AS high, min(low) AS low, arg_max(close, open_time) AS close,
           ${orderedSum('volume')} AS volume, ${wholeSum('quote_volume')}, ${wholeSum('trades')},
           ${wholeSum('taker_buy_base')}, ${wholeSum('taker_buy_quote')},
           count(*) AS n, count(*) = ${ratio} AS complete
    FROM (
      -- floor to the bucket start; % keeps the sign of the dividend, hence the double modulo
      SELECT *, open_time - (((open_time % ${width}) + ${width}) % ${width}) AS bucket
      FROM candles WHERE ${where}
    )
    GROUP BY bucket`;
  return { sql, params: [source.market, source.symbol, source.interval, ...time.params] };
}

/**
 * Resample one stored series to `target` (a multiple of its interval, ≤ 1d), returning every bucket
 * that has at least one source candle, complete or not, in time order. Nothing is stored.
 */
export async function resampleCandles(store: Store, source: SeriesKey, target: Interval, range: TimeRange = {}): Promise<ResampledBucket[]> {
  const { sql, params } = bucketQuery(source, target, range);
  const rows = await store.all(`${sql} ORDER BY open_time`, params);
  if (rows.length === 0) await requireSeries(store, 'candles', source);
  const numberOrNull = (value: unknown) => (value === null ? null : Number(value));
  return rows.map((row) => ({
    openTime: Number(row['open_time']),
    open: row['open'] as number,
    high: row['high'] as number,
    low: row['low'] as number,
    close: row['close'] as number,
    volume: row['volume'] as number,
    quoteVolume: numberOrNull(row['quote_volume']),
    trades: numberOrNull(row['trades']),
    takerBuyBase: numberOrNull(row['taker_buy_base']),
    takerBuyQuote: numberOrNull(row['taker_buy_quote']),
    count: Number(row['n']),
    complete: row['complete'] as boolean,
  }));
}
