import type { Side } from './broker/Account.ts';
import { emptySnapshot, type BrokerEvent, type BrokerSnapshot, type Fill, type OrderRequest, type OrderState } from './broker/Order.ts';
import type { Ensemble, EnsembleDecision } from './ensemble/Ensemble.ts';
import { copyVotes, type Action, type Prediction, type Vote } from './ensemble/Prediction.ts';
import type { Instrument } from './Instrument.ts';
import { formatTime } from './UnixMs.ts';
import type { Broker } from './ports/Broker.ts';
import type { DecisionOutcome, HeartbeatRecord, Journal } from './ports/Journal.ts';
import type { ModelClient, ModelRequest, TradeOutcome } from './ports/ModelClient.ts';
import type { RiskEvent } from './risk/RiskEvent.ts';
import type { RiskDecision, RiskManager } from './risk/index.ts';

/** What the coordinator is told at each heartbeat: the decision candle that just closed and its feature row. */
export interface Heartbeat {
  /** The decision candle's close time: everything used here closed at or before it. */
  ts: number;
  row: number;
  close: number;
  /** ATR(14) in price units at this bar (for ATR-multiple stops); NaN during warm-up. */
  atr: number;
  features: Float64Array;
}

/** The risk stage as the coordinator uses it (implemented by RiskManager). */
export type RiskGate = Pick<RiskManager, 'evaluate' | 'onTradeOpened' | 'onTradeClosed' | 'onEquity' | 'tradingState'>;

export interface CoordinatorOptions {
  /** Minimum ensemble confidence to act. */
  threshold: number;
  /** Per-model answer deadline; late or failed models are left out of the vote. */
  modelTimeoutMs: number;
  /** Prefix of client order ids; ids are `${tag}-${decision ts}-E|SL|TP`, so a retried request reuses its id. */
  orderTag: string;
  /**
   * Resolves after `ms` (live: a real timer). Omit in replay: in-process models answer at once, and a timer
   * would tie the run to wall time.
   */
  timeout?: (ms: number) => Promise<void>;
}

interface OpenTrade {
  side: 'long' | 'short';
  entryTs: number;
  entryPrice: number;
  quantity: number;
  row: number;
  votes: Vote[];
  realizedAtOpen: number;
  feesAtOpen: number;
  fundingAtOpen: number;
}

const TIMED_OUT = Symbol('timed out');
const NO_VOTES: readonly Vote[] = Object.freeze([]);
const NO_SCORES: Readonly<Record<Action, number>> = Object.freeze({ long: 0, short: 0, hold: 0 });

/** What a decision came to, and why when the outcome alone does not say. */
interface Verdict {
  readonly outcome: DecisionOutcome;
  readonly detail?: string;
}
/** The outcomes that need no detail, made once: most heartbeats end in one of these. */
const VERDICT = {
  HOLD: { outcome: 'HOLD' },
  IN_POSITION: { outcome: 'IN_POSITION' },
  BELOW_THRESHOLD: { outcome: 'BELOW_THRESHOLD' },
  HALTED: { outcome: 'HALTED' },
  ORDER_PLACED: { outcome: 'ORDER_PLACED' },
} as const satisfies Record<string, Verdict>;
const because = (outcome: DecisionOutcome, detail: string): Verdict => ({ outcome, detail });

/**
 * The decision loop of the seeds, written once for replay and live. On each heartbeat it asks every model in
 * parallel (with a deadline), aggregates their votes, applies the confidence threshold and the risk stage, and
 * places the entry with exchange-side stop-loss and take-profit orders. Fills come back as broker events; when a
 * position closes, the trade is journaled and its outcome goes back to the ensemble's records, the models and the
 * risk stage. Everything it sees and does is written to the journal.
 */
export class Coordinator {
  private trade: OpenTrade | undefined;
  private pendingEntry: { ts: number; row: number; votes: Vote[] } | undefined;
  private readonly outcomes: TradeOutcome[] = [];
  private readonly answers = new Map<string, Prediction>();
  private halted = false;
  private allSync: boolean;
  /** What synchronous models are asked (reused, like the answers' map). */
  private readonly request: ModelRequest = { ts: 0, row: 0, features: new Float64Array(0), names: [] };
  /** The account as each heartbeat sees it (reused: heartbeats run one at a time). */
  private readonly snap = emptySnapshot();
  /** The heartbeat record being built (reused: journals copy what they keep). */
  private readonly beat: HeartbeatRecord = {
    type: 'heartbeat',
    // Numbers start as NaN, not 0, so that V8 types them as doubles from the start (see emptySnapshot).
    ts: Number.NaN,
    row: 0,
    close: Number.NaN,
    features: new Float64Array(0),
    equity: Number.NaN,
    wallet: Number.NaN,
    quantity: Number.NaN,
    markPrice: Number.NaN,
    votes: [],
    action: 'hold',
    confidence: Number.NaN,
    scores: NO_SCORES,
    // Present even when empty (undefined), not added and deleted: the record keeps one shape, which the code that
    // reads it was compiled for.
    missing: undefined,
    outcome: 'HOLD',
    detail: undefined,
  };

  constructor(
    private readonly deps: {
      models: readonly ModelClient[];
      ensemble: Ensemble;
      risk: RiskGate;
      broker: Broker;
      instrument: Instrument;
      journal: Journal;
      featureNames: readonly string[];
    },
    private readonly options: CoordinatorOptions,
  ) {
    deps.broker.onEvent((event) => this.onBrokerEvent(event));
    this.allSync = deps.models.every((m) => typeof m.predictNow === 'function');
  }

  get isHalted(): boolean {
    return this.halted;
  }

  /**
   * One heartbeat: snapshot, ask the models, decide, act, journal. Returns a promise only when there is something to
   * wait for (models behind HTTP, an entry to place, exchange chores, outcomes to feed back): a replay heartbeat that
   * only decides completes synchronously, with no promise per decision.
   */
  onHeartbeat(beat: Heartbeat): Promise<void> | undefined {
    const snap = this.deps.broker.snapshot(this.snap);
    if (!this.allSync || this.outcomes.length > 0 || this.needsTidy(snap)) return this.onHeartbeatAsync(beat, snap);
    this.fillBeat(beat, snap);
    // After an emergency shutdown the models are not even asked.
    if (this.halted) return this.journalBeat(NO_VOTES, 'hold', 0, NO_SCORES, undefined, 'HALTED');
    return this.decide(beat, snap, this.askNow(beat));
  }

  private async onHeartbeatAsync(beat: Heartbeat, snap: BrokerSnapshot): Promise<void> {
    if (this.needsTidy(snap)) {
      await this.tidy(beat.ts, snap);
      snap = this.deps.broker.snapshot(this.snap);
    }
    if (this.outcomes.length > 0) await this.flushOutcomes();
    this.fillBeat(beat, snap);
    if (this.halted) return this.journalBeat(NO_VOTES, 'hold', 0, NO_SCORES, undefined, 'HALTED');
    await this.decide(beat, snap, this.allSync ? this.askNow(beat) : await this.ask(beat));
  }

  /** The heartbeat record's market and account fields. */
  private fillBeat(beat: Heartbeat, snap: BrokerSnapshot): void {
    const record = this.beat;
    record.ts = beat.ts;
    record.row = beat.row;
    record.close = beat.close;
    record.features = beat.features;
    record.equity = snap.equity;
    record.wallet = snap.wallet;
    record.quantity = snap.quantity;
    record.markPrice = snap.markPrice;
  }

  /** Ensemble, verdict and the heartbeat's record; a promise only while an entry is being placed. */
  private decide(beat: Heartbeat, snap: BrokerSnapshot, predictions: ReadonlyMap<string, Prediction>): Promise<void> | undefined {
    const decision = this.deps.ensemble.decide(predictions);
    const missing = predictions.size < this.deps.models.length ? this.deps.models.filter((m) => !predictions.has(m.name)).map((m) => m.name) : undefined;
    const verdict = this.act(beat, snap, decision);
    const { action, confidence } = decision;
    if (verdict instanceof Promise) {
      // The ensemble's decision is rewritten by its next call: keep copies across the wait.
      const votes = copyVotes(decision.votes);
      const scores = { ...decision.scores };
      return verdict.then(({ outcome, detail }) => this.journalBeat(votes, action, confidence, scores, missing, outcome, detail));
    }
    return this.journalBeat(decision.votes, action, confidence, decision.scores, missing, verdict.outcome, verdict.detail);
  }

  /** What the decision leads to, with the detail when it needs saying; places the entry if it trades (the one wait). */
  private act(beat: Heartbeat, snap: BrokerSnapshot, decision: EnsembleDecision): Verdict | Promise<Verdict> {
    if (decision.status === 'NO_QUORUM') return because('NO_QUORUM', `${decision.votes.length} of ${this.deps.models.length} models answered`);
    if (decision.action === 'hold') return VERDICT.HOLD;
    if (snap.quantity !== 0 || this.pendingEntry) return VERDICT.IN_POSITION;
    if (decision.confidence < this.options.threshold) return VERDICT.BELOW_THRESHOLD;
    const state = this.deps.risk.tradingState(beat.ts);
    if (state.status === 'HALTED') return VERDICT.HALTED;
    if (state.status === 'PAUSED') return because('RISK_DENIED', `${state.rule}: paused until ${formatTime(state.until)}`);

    const side: Side = decision.action === 'long' ? 1 : -1;
    const verdict = this.deps.risk.evaluate({
      ts: beat.ts,
      action: decision.action,
      confidence: decision.confidence,
      price: beat.close,
      equity: snap.equity,
      openPositions: 0,
      ...(Number.isFinite(beat.atr) ? { atr: beat.atr } : {}),
      ...(decision.stopLoss === undefined ? {} : { proposedStopLoss: decision.stopLoss }),
      ...(decision.takeProfit === undefined ? {} : { proposedTakeProfit: decision.takeProfit }),
    });
    for (const event of verdict.events) this.deps.journal.record({ type: 'risk', ts: beat.ts, event });
    if (verdict.status === 'DENIED') return because('RISK_DENIED', verdict.events.map((e) => e.rule).join(','));

    const check = this.deps.instrument.checkOrder(beat.close, verdict.quantity);
    if (check.status === 'REJECTED') return because('ORDER_REJECTED', `${check.reason}: ${check.detail}`);
    return this.placeEntry(beat, side, check.quantity, verdict).then((placed) => {
      if (!placed.ok) return because('ORDER_REJECTED', placed.detail);
      this.pendingEntry = { ts: beat.ts, row: beat.row, votes: copyVotes(decision.votes) };
      return VERDICT.ORDER_PLACED;
    });
  }

  /** The heartbeat's one record; the object is reused, since journals copy what they keep. */
  private journalBeat(
    votes: readonly Vote[],
    action: Action,
    confidence: number,
    scores: Readonly<Record<Action, number>>,
    missing: readonly string[] | undefined,
    outcome: DecisionOutcome,
    detail?: string,
  ): undefined {
    const record = this.beat;
    record.votes = votes;
    record.action = action;
    record.confidence = confidence;
    record.scores = scores;
    record.outcome = outcome;
    record.missing = missing;
    record.detail = detail;
    this.deps.journal.record(record);
  }

  /**
   * Called by the driver when equity may have moved (each base bar while a position is open). Returns a promise
   * only when there is exchange work to await (an emergency flatten), so the common case costs no promise.
   */
  onMark(ts: number): Promise<void> | undefined {
    if (this.halted) return undefined;
    this.journalRisk(ts, this.deps.risk.onEquity(ts, this.deps.broker.equity()));
    return this.halted ? this.tidy(ts, this.deps.broker.snapshot()) : undefined;
  }

  /**
   * Live restart: take over what an earlier run left on the exchange (found by reconciliation), so that an open
   * position is journaled and fed back when it closes, and no second entry goes out while an entry is pending.
   */
  adopt(state: { kind: 'position'; side: 'long' | 'short'; entryTs: number; entryPrice: number; quantity: number; row: number } | { kind: 'pending'; ts: number; row: number }): void {
    if (state.kind === 'pending') {
      this.pendingEntry = { ts: state.ts, row: state.row, votes: [] };
      return;
    }
    const snap = this.deps.broker.snapshot();
    this.trade = {
      side: state.side,
      entryTs: state.entryTs,
      entryPrice: state.entryPrice,
      quantity: state.quantity,
      row: state.row,
      votes: [],
      realizedAtOpen: snap.realizedPnl,
      feesAtOpen: snap.fees,
      fundingAtOpen: snap.funding,
    };
    this.journalRisk(state.entryTs, this.deps.risk.onTradeOpened(state.entryTs));
  }

  /**
   * Live promotion: decide with other models, another ensemble or another threshold from the next heartbeat on. Call
   * it only between heartbeats (the live runner does, right before the heartbeat it applies to). Outcomes of trades
   * closed so far go to the models that were asked about them first. An open trade or a pending entry is kept as it
   * is, with its exchange-side stop-loss and take-profit: it closes as placed, its outcome goes to the models in force
   * then, and the new settings apply from the next entry. Risk settings change in place (RiskManager.reconfigure), so
   * the day's counters, a pause or a halt carry over.
   */
  async reconfigure(next: { models?: readonly ModelClient[]; ensemble?: Ensemble; threshold?: number }): Promise<void> {
    await this.flushOutcomes();
    if (next.models) {
      this.deps.models = next.models;
      this.answers.clear();
      this.allSync = next.models.every((m) => typeof m.predictNow === 'function');
    }
    if (next.ensemble) this.deps.ensemble = next.ensemble;
    if (next.threshold !== undefined) this.options.threshold = next.threshold;
  }

  private askNow(beat: Heartbeat): Map<string, Prediction> {
    // One request for every heartbeat too: a synchronous model answers before the call returns.
    const request = this.request;
    request.ts = beat.ts;
    request.row = beat.row;
    request.features = beat.features;
    request.names = this.deps.featureNames;
    // One map for every heartbeat: the ensemble reads it while deciding and keeps nothing of it. Entries are
    // overwritten rather than cleared first (V8's Map.clear allocates a new table); only the models asked are in it.
    const answers = this.answers;
    for (const model of this.deps.models) {
      try {
        answers.set(model.name, model.predictNow!(request));
      } catch {
        // a failing model is left out of this vote, as in the async path
        answers.delete(model.name);
      }
    }
    return answers;
  }

  private async ask(beat: Heartbeat): Promise<Map<string, Prediction>> {
    const request = { ts: beat.ts, row: beat.row, features: beat.features, names: this.deps.featureNames };
    const { timeout, modelTimeoutMs } = this.options;
    const answers = await Promise.all(
      this.deps.models.map(async (model) => {
        try {
          const answer = timeout
            ? await Promise.race([model.predict(request), timeout(modelTimeoutMs).then(() => TIMED_OUT)])
            : await model.predict(request);
          return answer === TIMED_OUT ? undefined : ([model.name, answer] as const);
        } catch {
          return undefined; // a failing model is left out of this vote, like a late one
        }
      }),
    );
    return new Map(answers.filter((a): a is readonly [string, Prediction] => a !== undefined));
  }

  private async placeEntry(beat: Heartbeat, side: Side, quantity: number, verdict: Extract<RiskDecision, { status: 'APPROVED' }>) {
    const { broker, instrument } = this.deps;
    const id = `${this.options.orderTag}-${beat.ts}`;
    await broker.setLeverage(verdict.leverage);
    const entry: OrderRequest = { clientOrderId: `${id}-E`, side, type: 'MARKET', quantity, reduceOnly: false };
    const result = await broker.submit(entry);
    this.journalOrder(beat.ts, result.status === 'ACCEPTED' ? result.order : undefined, entry, result.status === 'REJECTED' ? result.detail : undefined);
    if (result.status === 'REJECTED') return { ok: false as const, detail: `${result.reason}: ${result.detail}` };
    const exitSide = -side as Side;
    const protective: OrderRequest[] = [
      { clientOrderId: `${id}-SL`, side: exitSide, type: 'STOP_MARKET', quantity, triggerPrice: instrument.roundPrice(verdict.stopLoss), reduceOnly: true, closePosition: true },
      { clientOrderId: `${id}-TP`, side: exitSide, type: 'TAKE_PROFIT_MARKET', quantity, triggerPrice: instrument.roundPrice(verdict.takeProfit), reduceOnly: true, closePosition: true },
    ];
    for (const order of protective) {
      const r = await broker.submit(order);
      this.journalOrder(beat.ts, r.status === 'ACCEPTED' ? r.order : undefined, order, r.status === 'REJECTED' ? `${r.reason}: ${r.detail}` : undefined);
    }
    return { ok: true as const };
  }

  private journalOrder(ts: number, state: OrderState | undefined, request: OrderRequest, note?: string): void {
    const order = state ?? { ...request, status: 'REJECTED' as const, filledQuantity: 0, averagePrice: 0, createdAt: ts, updatedAt: ts };
    this.deps.journal.record({ type: 'order', ts, order, ...(note === undefined ? {} : { note }) });
  }

  private onBrokerEvent(event: BrokerEvent): void {
    const { journal } = this.deps;
    switch (event.type) {
      case 'OrderUpdated': {
        const { order } = event;
        if (order.status === 'CANCELED' || order.status === 'EXPIRED' || order.status === 'REJECTED') {
          journal.record({ type: 'order', ts: event.ts, order });
          // An entry that dies unfilled frees the coordinator to act on the next heartbeat.
          if (order.clientOrderId.endsWith('-E') && order.filledQuantity === 0) this.pendingEntry = undefined;
        }
        return;
      }
      case 'OrderFilled':
        journal.record({ type: 'fill', ts: event.ts, fill: event.fill });
        return this.afterFill(event.ts, event.fill);
      case 'FundingSettled':
        journal.record({ type: 'funding', ts: event.ts, rate: event.rate, markPrice: event.markPrice, payment: event.payment, quantity: this.deps.broker.snapshot().quantity });
        return;
      case 'PositionLiquidated':
        journal.record({ type: 'fill', ts: event.ts, fill: event.fill });
        return this.afterFill(event.ts, event.fill);
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled broker event ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private afterFill(ts: number, fill: Fill): void {
    const snap = this.deps.broker.snapshot();
    if (!this.trade && snap.quantity !== 0) {
      const pending = this.pendingEntry;
      this.trade = {
        side: snap.quantity > 0 ? 'long' : 'short',
        entryTs: ts,
        entryPrice: snap.entryPrice,
        quantity: Math.abs(snap.quantity),
        row: pending?.row ?? -1,
        votes: pending?.votes ?? [],
        realizedAtOpen: snap.realizedPnl,
        feesAtOpen: snap.fees - fill.fee,
        fundingAtOpen: snap.funding,
      };
      this.pendingEntry = undefined;
      this.journalRisk(ts, this.deps.risk.onTradeOpened(ts));
      return;
    }
    if (this.trade && snap.quantity === 0) this.closeTrade(ts, fill, snap);
  }

  private closeTrade(ts: number, fill: Fill, snap: BrokerSnapshot): void {
    const trade = this.trade!;
    this.trade = undefined;
    const pnl = snap.realizedPnl - trade.realizedAtOpen;
    const fees = snap.fees - trade.feesAtOpen;
    const funding = snap.funding - trade.fundingAtOpen;
    const net = pnl - fees + funding;
    this.deps.journal.record({
      type: 'trade',
      ts,
      side: trade.side,
      entryTs: trade.entryTs,
      entryPrice: trade.entryPrice,
      exitPrice: fill.price,
      quantity: trade.quantity,
      pnl,
      fees,
      funding,
      exitReason: fill.reason,
    });
    const right: 'long' | 'short' = net > 0 ? trade.side : trade.side === 'long' ? 'short' : 'long';
    for (const vote of trade.votes) {
      if (vote.action !== 'hold') this.deps.ensemble.recordOutcome(vote.model, vote.action === right);
    }
    this.outcomes.push({ ts: trade.entryTs, row: trade.row, side: trade.side, entryPrice: trade.entryPrice, exitPrice: fill.price, pnl: net, label: right });
    this.journalRisk(ts, this.deps.risk.onTradeClosed({ ts, pnl: net, equity: snap.equity }));
  }

  private journalRisk(ts: number, events: readonly RiskEvent[]): void {
    // Indexed: called on every bar in a position, mostly with the risk stage's frozen empty list, which for…of
    // iterates through an allocated iterator.
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      this.deps.journal.record({ type: 'risk', ts, event });
      if (event.effect === 'HALTED') this.halted = true;
    }
  }

  /** Orders left over with no position and no entry pending, or a position to flatten after a halt. */
  private needsTidy(snap: BrokerSnapshot): boolean {
    return (snap.quantity === 0 && snap.openOrders.length > 0 && !this.pendingEntry) || (this.halted && snap.quantity !== 0);
  }

  /**
   * Exchange chores deferred out of event handlers (which must not call back into the broker): cancel protective
   * orders left over once the position is flat, and after an emergency halt flatten whatever is open.
   */
  private tidy(ts: number, snap: BrokerSnapshot): Promise<void> | undefined {
    return this.needsTidy(snap) ? this.doTidy(ts, snap.quantity, this.halted && snap.quantity !== 0) : undefined;
  }

  private async doTidy(ts: number, quantity: number, mustFlatten: boolean): Promise<void> {
    const { broker } = this.deps;
    await broker.cancelAll();
    if (!mustFlatten) return;
    const flatten: OrderRequest = {
      clientOrderId: `${this.options.orderTag}-${ts}-X`,
      side: quantity > 0 ? -1 : 1,
      type: 'MARKET',
      quantity: Math.abs(quantity),
      reduceOnly: true,
    };
    const result = await broker.submit(flatten);
    this.journalOrder(ts, result.status === 'ACCEPTED' ? result.order : undefined, flatten, result.status === 'REJECTED' ? result.detail : undefined);
  }

  /** Outcomes of trades closed since the last heartbeat go to the models before they are asked again. */
  private async flushOutcomes(): Promise<void> {
    if (this.outcomes.length === 0) return;
    const batch = this.outcomes.splice(0);
    await Promise.all(this.deps.models.map((m) => m.retrain(batch).catch(() => undefined)));
  }
}
