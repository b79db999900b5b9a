import type { Store } from '../../../../data/index.ts';
import { INTERVAL_MS, isInterval } from '../../../../engine/index.ts';
import type { RunManifest } from '../../../../research/index.ts';

/** Candle widths the chart may use, finest first: a run's period is shown in at most `maxCandles` of one of them. */
const CANDLE_WIDTHS = ['1m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d', '3d', '1w'] as const;

export interface CandleSeries {
  /** The candle width used (e.g. "4h"), and in ms. */
  interval: string;
  intervalMs: number;
  /** Open time of each candle (Unix ms) and its prices. */
  openTime: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** Entries, exits and protective orders of a run, for marking on the candles. */
export interface TradeMarks {
  entries: { ts: number; price: number; side: string }[];
  exits: { ts: number; price: number; side: string; reason: string; pnl: number }[];
  /** A stop-loss or take-profit order: its trigger price from when it was placed until it filled or was cancelled. */
  protective: { from: number; to: number; price: number; kind: 'stop' | 'take-profit'; status: string }[];
}

/** The candle width for a period: the finest of CANDLE_WIDTHS no finer than the stored base that gives ≤ maxCandles. */
export function candleWidth(from: number, to: number, baseMs: number, maxCandles: number): { interval: string; ms: number } {
  const needed = (to - from) / maxCandles;
  for (const interval of CANDLE_WIDTHS) {
    const ms = INTERVAL_MS[interval];
    if (ms >= baseMs && ms >= needed) return { interval, ms };
  }
  return { interval: '1w', ms: INTERVAL_MS['1w'] };
}

/**
 * The candles of a run's market over its period, aggregated in SQL from the stored base candles into at most
 * `maxCandles` candles (first open, highest high, lowest low, last close, summed volume).
 */
export async function candleSeries(store: Store, data: RunManifest['data'], maxCandles = 400): Promise<CandleSeries> {
  const baseMs = isInterval(data.baseInterval) ? INTERVAL_MS[data.baseInterval] : 60_000;
  const width = candleWidth(data.from, data.to, baseMs, maxCandles);
  const rows = await store.all(
    `SELECT (open_time - open_time % $5::BIGINT)::DOUBLE AS t, arg_min(open, open_time) AS open, max(high) AS high, min(low) AS low,
            arg_max(close, open_time) AS close, sum(volume) AS volume
     FROM candles
     WHERE market = $1 AND symbol = $2 AND interval = $3 AND open_time >= $4::BIGINT AND open_time < $6::BIGINT
     GROUP BY t ORDER BY t`,
    [data.market, data.symbol, data.baseInterval, data.from, width.ms, data.to],
  );
  const column = (name: string) => rows.map((r) => Number(r[name]));
  return {
    interval: width.interval,
    intervalMs: width.ms,
    openTime: column('t'),
    open: column('open'),
    high: column('high'),
    low: column('low'),
    close: column('close'),
    volume: column('volume'),
  };
}

/** Every trade's entry and exit, and every stop-loss / take-profit order's life, of a run (still open at `runEnd`: to it). */
export async function tradeMarks(store: Store, runId: string, runEnd: number): Promise<TradeMarks> {
  const trades = await store.all(
    `SELECT entry_ts::DOUBLE AS entry_ts, ts::DOUBLE AS ts, side, entry_price, exit_price, exit_reason, pnl - fees + funding AS net
     FROM trades WHERE run_id = $1 ORDER BY seq`,
    [runId],
  );
  // An order is journaled when placed and when it expires; a stop or take-profit that triggers ends at its fill.
  const orders = await store.all(
    `WITH o AS (
       SELECT client_order_id, min(ts)::DOUBLE AS placed, (max(ts) FILTER (WHERE status <> 'NEW'))::DOUBLE AS ended,
              arg_max(trigger_price, seq) AS price, any_value(type) AS type, arg_max(status, seq) AS status
       FROM orders WHERE run_id = $1 AND type IN ('STOP_MARKET', 'TAKE_PROFIT_MARKET') AND trigger_price IS NOT NULL
       GROUP BY client_order_id
     ), f AS (SELECT client_order_id, min(fill_ts)::DOUBLE AS filled FROM fills WHERE run_id = $1 GROUP BY client_order_id)
     SELECT o.*, f.filled FROM o LEFT JOIN f USING (client_order_id) ORDER BY placed`,
    [runId],
  );
  return {
    entries: trades.map((t) => ({ ts: Number(t['entry_ts']), price: Number(t['entry_price']), side: String(t['side']) })),
    exits: trades.map((t) => ({ ts: Number(t['ts']), price: Number(t['exit_price']), side: String(t['side']), reason: String(t['exit_reason']), pnl: Number(t['net']) })),
    protective: orders.map((o) => ({
      from: Number(o['placed']),
      to: o['filled'] !== null ? Number(o['filled']) : o['ended'] !== null ? Number(o['ended']) : runEnd,
      price: Number(o['price']),
      kind: o['type'] === 'STOP_MARKET' ? 'stop' : 'take-profit',
      status: o['filled'] !== null ? 'FILLED' : String(o['status']),
    })),
  };
}
