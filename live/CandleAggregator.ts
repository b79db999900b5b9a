import type { FeedCandle } from '../engine/index.ts';

/**
 * Base candles → candles of a coarser interval, complete buckets only (as the replay's resampler makes them: first
 * open, highest high, lowest low, last close, volumes summed in time order). A bucket is emitted when its last base
 * candle arrives; a bucket with a missing base candle is dropped, never emitted partial.
 */
export class CandleAggregator {
  private bucket = Number.NaN;
  private count = 0;
  private current: FeedCandle = { openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  private readonly ratio: number;

  constructor(
    private readonly baseMs: number,
    private readonly intervalMs: number,
  ) {
    this.ratio = intervalMs / baseMs;
  }

  /** Add a base candle; returns the bucket it completes, if it completes one. */
  add(c: FeedCandle): FeedCandle | undefined {
    if (this.ratio === 1) return c;
    const bucket = Math.floor(c.openTime / this.intervalMs) * this.intervalMs;
    if (bucket !== this.bucket) {
      this.bucket = bucket;
      this.count = 0;
      this.current = { openTime: bucket, open: c.open, high: c.high, low: c.low, close: c.close, volume: 0 };
    }
    const cur = this.current;
    cur.high = Math.max(cur.high, c.high);
    cur.low = Math.min(cur.low, c.low);
    cur.close = c.close;
    cur.volume += c.volume;
    this.count++;
    if (c.openTime + this.baseMs !== bucket + this.intervalMs) return undefined;
    const complete = this.count === this.ratio;
    this.bucket = Number.NaN;
    return complete ? { ...cur } : undefined;
  }
}
