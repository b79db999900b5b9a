import { INTERVALS, type Interval } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';

/** The intervals stored for a symbol with candles inside [from, to), finest first (the first is a replay's base). */
export async function storedIntervals(store: Store, market: Market, symbol: string, from: number, to: number): Promise<Interval[]> {
  const rows = await store.all(
    `SELECT DISTINCT interval FROM candles WHERE market = $1 AND symbol = $2 AND open_time >= $3 AND open_time < $4`,
    [market, symbol, BigInt(from), BigInt(to)],
  );
  const names = new Set(rows.map((r) => String(r['interval'])));
  return INTERVALS.filter((interval) => names.has(interval));
}
