import type { CandleColumns } from '../../data/index.ts';
import { invariantError, type BrokerBar, type FundingSchedule } from '../../engine/index.ts';

/** One kline row as Binance serves it: `[openTime, "o", "h", "l", "c", "v", closeTime, "q", trades, "V", "Q", "0"]`. */
export type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];

/**
 * The simulator's market: stored candles of one symbol at the base interval, replayed one closed bar at a time.
 * Bars before `startAt` are history (already closed when the simulator starts: klines can backfill them); the
 * others close one by one as the clock steps. Funding settles on the stored (or constant) schedule at each bar's close.
 */
export class SimMarket {
  /** Index of the next bar to close. */
  private cursor: number;
  private fundingCursor = 0;

  constructor(
    readonly symbol: string,
    readonly candles: CandleColumns,
    readonly barMs: number,
    readonly funding: FundingSchedule,
    startAt: number,
  ) {
    for (let i = 1; i < candles.length; i++) {
      if (!(candles.openTime[i]! > candles.openTime[i - 1]!)) throw invariantError('SIM_CANDLES_ORDER', `candles out of order at row ${i}`);
    }
    let c = 0;
    while (c < candles.length && candles.openTime[c]! < startAt) c++;
    this.cursor = c;
    const firstClose = c > 0 ? candles.openTime[c - 1]! + barMs : -Infinity;
    while (this.fundingCursor < funding.length && funding.fundingTime[this.fundingCursor]! <= firstClose) this.fundingCursor++;
  }

  get closedCount(): number {
    return this.cursor;
  }

  get ended(): boolean {
    return this.cursor >= this.candles.length;
  }

  /** Close time of the last closed bar (the market's "now" between steps); the first open time before any. */
  get lastClose(): number {
    return this.cursor > 0 ? this.candles.openTime[this.cursor - 1]! + this.barMs : (this.candles.openTime[0] ?? 0);
  }

  get lastPrice(): number {
    return this.cursor > 0 ? this.candles.close[this.cursor - 1]! : (this.candles.open[0] ?? Number.NaN);
  }

  /** The latest settled funding rate and the next settlement time. */
  fundingState(): { lastRate: number; nextTime: number } {
    const f = this.funding;
    const lastRate = this.fundingCursor > 0 ? f.rate[this.fundingCursor - 1]! : (f.rate[0] ?? 0);
    const nextTime = this.fundingCursor < f.length ? f.fundingTime[this.fundingCursor]! : Math.ceil((this.lastClose + 1) / 28_800_000) * 28_800_000;
    return { lastRate, nextTime };
  }

  /** Close the next bar: the bar and the funding settlements due by its close. */
  step(): { index: number; bar: BrokerBar; funding: { ts: number; rate: number }[] } | undefined {
    if (this.ended) return undefined;
    const i = this.cursor++;
    const bar = this.bar(i);
    const funding: { ts: number; rate: number }[] = [];
    const f = this.funding;
    while (this.fundingCursor < f.length && f.fundingTime[this.fundingCursor]! <= bar.closeTime) {
      funding.push({ ts: f.fundingTime[this.fundingCursor]!, rate: f.rate[this.fundingCursor]! });
      this.fundingCursor++;
    }
    return { index: i, bar, funding };
  }

  /** Row i as the broker sees it. */
  bar(i: number): BrokerBar {
    const c = this.candles;
    const openTime = c.openTime[i]!;
    return { openTime, closeTime: openTime + this.barMs, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! };
  }

  /** Row i as a Binance kline array. */
  kline(i: number): KlineRow {
    const c = this.candles;
    const openTime = c.openTime[i]!;
    const close = c.close[i]!;
    const volume = c.volume[i]!;
    const quote = c.quoteVolume?.[i] ?? volume * close;
    return [
      openTime,
      String(c.open[i]!),
      String(c.high[i]!),
      String(c.low[i]!),
      String(close),
      String(volume),
      openTime + this.barMs - 1,
      String(quote),
      c.trades?.[i] ?? 0,
      String(c.takerBuyBase?.[i] ?? 0),
      String(c.takerBuyQuote?.[i] ?? 0),
      '0',
    ];
  }

  /**
   * Closed klines of `intervalMs` (a multiple of the base interval: complete buckets aggregated from base bars)
   * with open time in [startTime, endTime], oldest first, at most `limit`; from the end when no startTime is given.
   * Bars that have not closed on the simulator's clock are never served: no look-ahead through REST.
   */
  klines(intervalMs: number, query: { startTime?: number; endTime?: number; limit: number }): KlineRow[] {
    const c = this.candles;
    const closed = this.cursor;
    const lowerIndex = (t: number) => {
      let lo = 0;
      let hi = closed;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c.openTime[mid]! < t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    if (intervalMs === this.barMs) {
      const from = query.startTime === undefined ? 0 : lowerIndex(query.startTime);
      const to = query.endTime === undefined ? closed : lowerIndex(query.endTime + 1);
      const start = query.startTime === undefined ? Math.max(from, to - query.limit) : from;
      const end = Math.min(to, start + query.limit);
      const rows: KlineRow[] = [];
      for (let i = start; i < end; i++) rows.push(this.kline(i));
      return rows;
    }
    const ratio = intervalMs / this.barMs;
    if (!Number.isInteger(ratio) || ratio < 1) return [];
    const buckets: KlineRow[] = [];
    const lastClose = this.lastClose;
    const firstOpen = Math.floor((query.startTime ?? c.openTime[0] ?? 0) / intervalMs) * intervalMs;
    let i = lowerIndex(firstOpen);
    while (i < closed) {
      const bucket = Math.floor(c.openTime[i]! / intervalMs) * intervalMs;
      if (query.endTime !== undefined && bucket > query.endTime) break;
      let j = i;
      let high = -Infinity;
      let low = Infinity;
      let volume = 0;
      let quote = 0;
      let trades = 0;
      while (j < closed && c.openTime[j]! < bucket + intervalMs) {
        high = Math.max(high, c.high[j]!);
        low = Math.min(low, c.low[j]!);
        volume += c.volume[j]!;
        quote += c.quoteVolume?.[j] ?? c.volume[j]! * c.close[j]!;
        trades += c.trades?.[j] ?? 0;
        j++;
      }
      if (j - i === ratio && bucket + intervalMs <= lastClose && (query.startTime === undefined || bucket >= query.startTime)) {
        buckets.push([bucket, String(c.open[i]!), String(high), String(low), String(c.close[j - 1]!), String(volume), bucket + intervalMs - 1, String(quote), trades, '0', '0', '0']);
      }
      i = j;
    }
    return query.startTime === undefined ? buckets.slice(-query.limit) : buckets.slice(0, query.limit);
  }
}
