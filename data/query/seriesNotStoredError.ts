import { intervalMs, isInterval, operationalError, type Interval, type XylenError } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { SERIES_TABLE, type SeriesKind } from './SeriesKind.ts';

type AnySeriesKey = { market: Market; symbol: string; interval?: Interval };

/** Throw SERIES_NOT_STORED unless the store holds at least one row of the series. */
export async function requireSeries(store: Store, kind: SeriesKind, key: AnySeriesKey): Promise<void> {
  const [row] = await store.all(
    kind === 'funding'
      ? `SELECT 1 AS yes FROM ${SERIES_TABLE[kind]} WHERE market = $1 AND symbol = $2 LIMIT 1`
      : `SELECT 1 AS yes FROM ${SERIES_TABLE[kind]} WHERE market = $1 AND symbol = $2 AND interval = $3 LIMIT 1`,
    kind === 'funding' ? [key.market, key.symbol] : [key.market, key.symbol, key.interval ?? null],
  );
  if (!row) throw await seriesNotStoredError(store, kind, key);
}

/**
 * The error for asking after a series the store does not have, saying what it does have for the
 * symbol. When a finer interval that divides the wanted one is stored, it points at
 * `xylen data resample` instead of resampling silently: a resampled series has incomplete buckets
 * the user should see and decide about.
 */
export async function seriesNotStoredError(
  store: Store,
  kind: SeriesKind,
  key: AnySeriesKey,
): Promise<XylenError> {
  const table = SERIES_TABLE[kind];
  const what = `${kind === 'funding' ? 'funding rates' : `${key.interval ?? ''} ${kind === 'mark' ? 'mark-price candles' : 'candles'}`.trim()} for ${key.market} ${key.symbol}`;
  const stored = await store.all(
    kind === 'funding'
      ? `SELECT DISTINCT market, NULL AS interval FROM ${table} WHERE symbol = $1 ORDER BY ALL`
      : `SELECT DISTINCT market, interval FROM ${table} WHERE symbol = $1 ORDER BY ALL`,
    [key.symbol],
  );
  const sameMarket = stored
    .filter((row) => row['market'] === key.market)
    .map((row) => String(row['interval']))
    .sort((a, b) => (isInterval(a) && isInterval(b) ? intervalMs(a) - intervalMs(b) : a.localeCompare(b)));
  const elsewhere = [...new Set(stored.filter((row) => row['market'] !== key.market).map((row) => String(row['market'])))];
  const parts = [`no ${what} in the store`];
  if (kind !== 'funding' && sameMarket.length > 0) parts.push(`stored intervals: ${sameMarket.join(', ')}`);
  if (elsewhere.length > 0) parts.push(`${key.symbol} is stored under market ${elsewhere.join(', ')}`);

  const wanted = key.interval;
  const finer = wanted && kind === 'candles' ? sameMarket.filter(isInterval).filter((i) => intervalMs(wanted) % intervalMs(i) === 0 && i !== wanted) : [];
  const source = finer.sort((a, b) => intervalMs(b) - intervalMs(a))[0];
  const hint = source
    ? `resample it explicitly (incomplete buckets are reported, never passed off as whole): xylen data resample --market ${key.market} --symbol ${key.symbol} --from-interval ${source} --to ${wanted}`
    : 'see what is stored with `xylen data ls`; add data with `xylen data import …`, `xylen data fetch` or `xylen data synth`';
  return operationalError('SERIES_NOT_STORED', parts.join('; '), { hint });
}
