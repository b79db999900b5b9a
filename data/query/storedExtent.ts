import { INTERVALS, intervalMs, type Interval } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';

/** The finest candle interval stored for a symbol, and the period it covers: [first open, last open + interval). */
export interface StoredExtent {
  interval: Interval;
  from: number;
  to: number;
}

/** Where a replay, a check or a training run may start and end when the user does not say; undefined when nothing is stored. */
export async function storedExtent(store: Store, series: { market: Market; symbol: string }): Promise<StoredExtent | undefined> {
  const rows = await store.all(
    `SELECT interval, min(open_time)::DOUBLE AS first, max(open_time)::DOUBLE AS last FROM candles WHERE market = $1 AND symbol = $2 GROUP BY interval`,
    [series.market, series.symbol],
  );
  const interval = INTERVALS.find((i) => rows.some((row) => row['interval'] === i));
  const finest = rows.find((row) => row['interval'] === interval);
  if (interval === undefined || finest === undefined) return undefined;
  return { interval, from: finest['first'] as number, to: (finest['last'] as number) + intervalMs(interval) };
}

/** How many candles of any interval are stored for a symbol in a market. */
export async function candleCount(store: Store, market: Market, symbol: string): Promise<number> {
  const rows = await store.all('SELECT count(*)::INTEGER AS n FROM candles WHERE market = $1 AND symbol = $2', [market, symbol]);
  return rows[0]?.['n'] as number;
}
