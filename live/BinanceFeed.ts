import WebSocket from 'ws';
import type { FeedCandle, MarketFeed } from '../engine/index.ts';

export interface BinanceFeedOptions {
  symbol: string;
  /** Base interval name, e.g. "1m". */
  interval: string;
  intervalMs: number;
  /** REST base URL (https://fapi.binance.com, the testnet, or the simulator). */
  restUrl: string;
  /** Websocket base URL (wss://fstream.binance.com, …); streams are opened at `${wsUrl}/stream?streams=…`. */
  wsUrl: string;
  /** Wait before reconnecting a dropped socket (doubles up to 30 s) [250]. */
  reconnectMs?: number;
  log?: (event: string, detail: Record<string, unknown>) => void;
}

/**
 * The live MarketFeed over Binance's kline websocket (`<symbol>@kline_<interval>`, closed candles only: `x: true`),
 * with REST backfill (`GET /fapi/v1/klines`). Chosen over ccxt pro's watchOHLCV because a feed must know exactly
 * which closed candles it delivered: after a reconnect — or a silent stretch — the next candle that arrives is
 * compared with the last delivered one, and the missing ones are fetched by REST and delivered first, so the
 * consumer sees every candle once, in order. Public data only: no keys.
 */
export class BinanceFeed implements MarketFeed {
  private socket: WebSocket | undefined;
  private closed = false;
  private lastOpen = -Infinity;
  private chain: Promise<void> = Promise.resolve();
  private handler: ((candle: FeedCandle) => Promise<void>) | undefined;
  private reconnects = 0;
  /** Candles fetched by REST to fill gaps (for tests and metrics). */
  backfilled = 0;

  constructor(private readonly options: BinanceFeedOptions) {}

  async history(from: number, to: number): Promise<FeedCandle[]> {
    const out: FeedCandle[] = [];
    let start = from;
    while (start < to) {
      const url = `${this.options.restUrl}/fapi/v1/klines?symbol=${this.options.symbol}&interval=${this.options.interval}&startTime=${start}&endTime=${to - 1}&limit=1500`;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`GET /fapi/v1/klines answered ${response.status}: ${await response.text()}`);
      const rows = (await response.json()) as [number, string, string, string, string, string, number][];
      for (const r of rows) {
        // Only closed candles: the last row of a live exchange is the forming one.
        if (r[0] + this.options.intervalMs <= to && r[0] >= start) out.push({ openTime: r[0], open: Number(r[1]), high: Number(r[2]), low: Number(r[3]), close: Number(r[4]), volume: Number(r[5]) });
      }
      if (rows.length < 1500) break;
      start = rows[rows.length - 1]![0] + this.options.intervalMs;
    }
    return out;
  }

  /** The candle after which live delivery continues (set after the warm-up so nothing is delivered twice). */
  resumeAfter(openTime: number): void {
    this.lastOpen = openTime;
  }

  async subscribe(handler: (candle: FeedCandle) => Promise<void>): Promise<void> {
    this.handler = handler;
    await this.connect();
  }

  /** Drop the socket as a network fault would (tests); the feed reconnects and backfills. */
  drop(): void {
    this.socket?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket?.terminate();
    await this.chain.catch(() => undefined);
  }

  /** Wait until every candle received so far has been handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  private connect(): Promise<void> {
    const stream = `${this.options.symbol.toLowerCase()}@kline_${this.options.interval}`;
    const socket = new WebSocket(`${this.options.wsUrl}/stream?streams=${stream}`, { perMessageDeflate: false });
    this.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { data?: { e?: string; k?: { t: number; o: string; h: string; l: string; c: string; v: string; x: boolean } } };
      const k = message.data?.e === 'kline' ? message.data.k : undefined;
      if (!k || !k.x) return;
      const candle: FeedCandle = { openTime: k.t, open: Number(k.o), high: Number(k.h), low: Number(k.l), close: Number(k.c), volume: Number(k.v) };
      // Deferred to the next turn: user-data events already on the wire are read first (see the README).
      this.chain = this.chain.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.deliver(candle));
    });
    socket.on('close', () => {
      if (this.closed) return;
      this.options.log?.('feed_disconnected', { reconnects: this.reconnects });
      const wait = Math.min(30_000, (this.options.reconnectMs ?? 250) * 2 ** Math.min(7, this.reconnects++));
      setTimeout(() => {
        if (!this.closed) void this.connect().catch(() => undefined);
      }, wait);
    });
    socket.on('error', () => undefined);
    return new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        this.reconnects = 0;
        resolve();
      });
      socket.once('error', reject);
    });
  }

  private async deliver(candle: FeedCandle): Promise<void> {
    if (!this.handler || candle.openTime <= this.lastOpen) return;
    const step = this.options.intervalMs;
    if (this.lastOpen > -Infinity && candle.openTime > this.lastOpen + step) {
      const missing = await this.history(this.lastOpen + step, candle.openTime);
      this.options.log?.('feed_gap_backfilled', { from: this.lastOpen + step, to: candle.openTime, candles: missing.length });
      for (const m of missing) {
        this.backfilled++;
        this.lastOpen = m.openTime;
        await this.handler(m);
      }
    }
    this.lastOpen = candle.openTime;
    await this.handler(candle);
  }
}
