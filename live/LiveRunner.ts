import type { BrokerBar, Coordinator, FeatureEngine, FeedCandle, Heartbeat, MarketFeed } from '../engine/index.ts';
import { CandleAggregator } from './CandleAggregator.ts';

/** What the runner drives on every closed base bar: fills (paper) or the mark (exchange). Same shape as ReplayVenue. */
export interface LiveVenue {
  onBar(bar: BrokerBar): void;
  readonly hasPosition: boolean;
  /** A promise while the venue cannot see its fills (user stream down): bars wait for it. */
  whenReady?(): Promise<void> | undefined;
}

export interface LiveRunnerOptions {
  feed: MarketFeed & { resumeAfter(openTime: number): void };
  venue: LiveVenue;
  coordinator: Coordinator;
  features: FeatureEngine;
  baseMs: number;
  decisionMs: number;
  /** Omitted when the config has no coarser context interval. */
  contextMs?: number;
  log: (event: string, detail: Record<string, unknown>) => void;
  /** Awaited after each bar is handled, before the next (the session commits its journal here). */
  afterBar?: () => Promise<void>;
  /**
   * Awaited right before each heartbeat's decision, between heartbeats (a promotion is swapped in here), with the
   * previous heartbeat (its features copied) when there was one.
   */
  beforeHeartbeat?: (beat: Heartbeat, previous: Heartbeat | undefined) => Promise<void> | void;
}

/**
 * The live loop: the replay driver's order of work, on candles as they close. For each closed base candle: the venue
 * sees the bar, the risk stage sees equity while a position is open, the decision (and context) candles it completes
 * go through the streaming FeatureEngine, and a completed decision candle is a heartbeat of the same Coordinator the
 * replay runs. Candles before the start only warm the features up, from the same warm-up start the replay uses, so
 * live rows equal replayed rows bit for bit.
 */
export class LiveRunner {
  private readonly decision: CandleAggregator;
  private readonly context: CandleAggregator | undefined;
  private row = -1;
  private readonly atrIndex: number;
  private lastHandled = Number.NaN;
  private waiters: { ts: number; resolve: () => void }[] = [];
  /** Heartbeats run, and the wall time each took (candle handled → decision and orders done). */
  readonly heartbeatMs: number[] = [];
  /** Called with each heartbeat's wall time in ms (metrics). */
  readonly onHeartbeatTimed: ((ms: number) => void)[] = [];
  stopped = false;
  /** First live bar's open and latest close (buy-and-hold reference of the run's metrics). */
  firstOpen = Number.NaN;
  lastClose = Number.NaN;
  /** Live bars handled. */
  bars = 0;
  /** Wall time (Unix ms) the last bar was handled; NaN before the first (the control API's /health reads it). */
  lastHandledAt = Number.NaN;
  /** Recent decision candles by close time (reconciliation recomputes a lost order's levels from them). */
  private readonly decisions = new Map<number, { row: number; close: number; atr: number }>();
  private previousBeat: Heartbeat | undefined;

  constructor(private readonly options: LiveRunnerOptions) {
    this.decision = new CandleAggregator(options.baseMs, options.decisionMs);
    this.context = options.contextMs === undefined ? undefined : new CandleAggregator(options.baseMs, options.contextMs);
    this.atrIndex = options.features.names.indexOf('atr_14');
  }

  /** Feed history [from, to) to the features only (no venue, no decisions), then go live after it. */
  async warmUp(from: number, to: number): Promise<number> {
    const candles = await this.options.feed.history(from, to);
    for (const c of candles) this.features(c);
    const last = candles.at(-1);
    this.options.feed.resumeAfter(last ? last.openTime : to - this.options.baseMs);
    this.lastHandled = to;
    return candles.length;
  }

  async start(): Promise<void> {
    await this.options.feed.subscribe((c) => this.onCandle(c));
  }

  /** Resolves once the bar closing at `closeTime` (or a later one) has been handled. */
  handled(closeTime: number): Promise<void> {
    if (this.lastHandled >= closeTime) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ts: closeTime, resolve }));
  }

  decisionAt(ts: number): { row: number; close: number; atr: number } | undefined {
    return this.decisions.get(ts);
  }

  get lastBarClose(): number {
    return this.lastHandled;
  }

  private async onCandle(c: FeedCandle): Promise<void> {
    if (this.stopped) return;
    const { venue, coordinator, baseMs } = this.options;
    const blind = venue.whenReady?.();
    if (blind) await blind;
    const closeTime = c.openTime + baseMs;
    if (Number.isNaN(this.firstOpen)) this.firstOpen = c.open;
    this.lastClose = c.close;
    this.bars++;
    venue.onBar({ openTime: c.openTime, closeTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
    if (venue.hasPosition) {
      const chores = coordinator.onMark(closeTime);
      if (chores) await chores;
    }
    const beat = this.features(c);
    if (beat) {
      const started = performance.now();
      if (this.options.beforeHeartbeat) await this.options.beforeHeartbeat(beat, this.previousBeat);
      await coordinator.onHeartbeat(beat);
      this.previousBeat = { ...beat, features: beat.features.slice() };
      const ms = performance.now() - started;
      if (this.heartbeatMs.length < 100_000) this.heartbeatMs.push(ms);
      for (const listener of this.onHeartbeatTimed) listener(ms);
    }
    if (this.options.afterBar) await this.options.afterBar();
    this.lastHandled = closeTime;
    this.lastHandledAt = Date.now();
    const ready = this.waiters.filter((w) => w.ts <= closeTime);
    this.waiters = this.waiters.filter((w) => w.ts > closeTime);
    for (const w of ready) w.resolve();
  }

  /** Context first, then decision, as FeatureEngine requires when both close at the same instant. */
  private features(c: FeedCandle): Heartbeat | undefined {
    const ctx = this.context?.add(c);
    if (ctx) this.options.features.addContext(ctx);
    const d = this.decision.add(c);
    if (!d) return undefined;
    this.row++;
    const features = this.options.features.addDecision(d);
    const beat = { ts: d.openTime + this.options.decisionMs, row: this.row, close: d.close, atr: this.atrIndex < 0 ? Number.NaN : features[this.atrIndex]!, features };
    this.decisions.set(beat.ts, { row: beat.row, close: beat.close, atr: beat.atr });
    if (this.decisions.size > 5000) this.decisions.delete(this.decisions.keys().next().value!);
    return beat;
  }
}
