/** One closed base candle from a feed (open time keyed, as Binance keys klines). */
export interface FeedCandle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Where live candles come from: closed base candles, each once, in open-time order, gaps filled before a later
 * candle is delivered. Replay reads the store instead (the replay driver), so this port has only live adapters.
 */
export interface MarketFeed {
  /** Closed candles with open time in [from, to), oldest first (warm-up and backfill). */
  history(from: number, to: number): Promise<FeedCandle[]>;
  /** Deliver every candle that closes from now on; the handler is awaited before the next one is delivered. */
  subscribe(handler: (candle: FeedCandle) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
