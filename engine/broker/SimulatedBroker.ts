import type { Clock } from '../Clock.ts';
import type { Instrument } from '../Instrument.ts';
import { inputError, invariantError } from '../XylenError.ts';
import type { Broker } from '../ports/Broker.ts';
import { Account, type Side } from './Account.ts';
import type { BrokerBar } from './BrokerBar.ts';
import { liquidationPrice } from './liquidationPrice.ts';
import type { MarginBrackets } from './MarginBrackets.ts';
import { emptySnapshot, type BrokerEvent, type BrokerSnapshot, type Fill, type FillReason, type OrderRequest, type OrderState, type OrderStatus, type SubmitResult } from './Order.ts';
import { slippageFraction } from './slippageFraction.ts';

export interface SimulatedBrokerOptions {
  instrument: Instrument;
  brackets: MarginBrackets;
  /** Starting wallet balance (USDT). */
  initialBalance: number;
  /** Stamps commands (order acceptance, cancels) and snapshots. Market-driven events carry the bar's or settlement's time. */
  clock: Clock;
  /** Fee rate of fills that take liquidity [0.0005: Binance USDⓈ-M regular tier]. */
  takerFee?: number;
  /** Fee rate of fills of limit orders that rested in the book [0.0002]. */
  makerFee?: number;
  /** Fixed concession of every market-type fill, in bps of the price [2]. */
  slippageBps?: number;
  /** Coefficient of the square-root impact term, in bps (see slippageFraction) [10]. */
  impactBps?: number;
  /** Largest share of one bar's volume a single order may fill in that bar [0.1]; Infinity disables the cap. */
  participationCap?: number;
  /** A market-type order (market, or a triggered stop/take-profit) still unfilled after this many bars expires [10]. */
  maxFillBars?: number;
  /** Bars between submitting and first being eligible [1: submitted at bar k's close, fills from bar k+1's open]. */
  latencyBars?: number;
  /** Leverage of new exposure until setLeverage changes it [20: Binance's initial leverage for BTCUSDT]. */
  leverage?: number;
}

/** When an order acts inside a bar (see the class comment): the open, or one of the intrabar phases. */
const AT_OPEN = 0;
const ENTRY = 2;
const STOP = 3;
const EXIT = 5;
type Phase = typeof AT_OPEN | typeof ENTRY | typeof STOP | typeof EXIT;

/** Internal mutable state of an accepted order, with what the per-bar loops test precomputed as plain fields. */
interface WorkingOrder {
  state: OrderState;
  /** NEW or PARTIALLY_FILLED. */
  live: boolean;
  /** Its intrabar phase; MARKET orders act only at the open. */
  phase: Phase;
  isLimit: boolean;
  isConditional: boolean;
  protective: boolean;
  /** The limit price or the trigger. */
  level: number;
  /** Conditional orders: +1 triggers as the price rises to the level, −1 as it falls. */
  direction: 1 | -1;
  /** Index of the first bar in which the order may act. */
  eligibleFrom: number;
  /** LIMIT: it has met its first open, so any later fill is as a resting (maker) order. */
  arrived: boolean;
  /** STOP/TP: triggered; what remains is a market order filled at the next bars' opens. */
  triggered: boolean;
  /** Bars in which it tried to fill as a market order (for maxFillBars). */
  marketBars: number;
  /** Index of the last bar in which it tried to fill: one attempt per order per bar. */
  actedBar: number;
}

const NO_BAR = -1;
/** A flat broker's open orders: shared, so a snapshot with none allocates no array. */
const NO_ORDERS: readonly OrderState[] = Object.freeze([]);

/** Frozen copies of the live orders' states: snapshots share them until an order changes. */
function liveOrders(orders: readonly WorkingOrder[]): readonly OrderState[] {
  const live = orders.filter((o) => o.live);
  return live.length === 0 ? NO_ORDERS : Object.freeze(live.map((o) => Object.freeze({ ...o.state })));
}

/**
 * The replay venue: a Binance USDⓈ-M perpetual, one symbol, one-way mode, isolated margin. The replay loop calls
 * `onBar` for every base candle as it closes and `onFunding` at each settlement, in time order; the coordinator
 * talks to it only through the Broker port, exactly as it talks to the live exchange.
 *
 * Order of events inside one bar. The path between open, high and low is unknown, so the broker assumes the one
 * that hurts the trader, in these phases:
 *  1. At the open: MARKET orders (and market remainders) fill at the open; a LIMIT meeting its first open fills
 *     there if marketable; then STOP_MARKET / TAKE_PROFIT_MARKET orders the open already passed fill at the open
 *     (a stop that gaps through fills at the gap price, not at its trigger).
 *  2. Orders that are not protective (not reduce-only, not closePosition) trade through: limits at their price,
 *     stop entries at their trigger. An entry thus always fills before the exits of the same bar.
 *  3. Protective stops at their trigger — before any take-profit, so when both are touched the stop-loss wins.
 *  4. Liquidation, when the mark crossed the liquidation price. A stop fills before it only if the price reached
 *     the stop first (stop and open both on the safe side of the liquidation price).
 *  5. Protective take-profits and reduce-only limits.
 *
 * Fill prices. Market-type fills (market orders, triggered stops and take-profits, limits marketable on arrival)
 * pay slippageFraction (fixed bps + √participation impact): buys pay up, sells receive less; a marketable limit
 * never fills beyond its price. A resting limit fills when the bar trades through it (buy: low ≤ price) at its
 * price, or at the open when the bar opens beyond it (so no fill lies outside its bar's range). Maker fee for a
 * limit that was not marketable on arrival, taker fee for everything else. Liquidation fills at the liquidation price; Binance's clearance keeps what is left of the isolated margin
 * (booked as a fee), so the trader loses exactly the isolated margin.
 *
 * Participation: one order fills at most participationCap × the bar's volume per bar (rounded down to the step).
 * A limit's remainder keeps resting; a market-type remainder fills at the following bars' opens and EXPIRES when
 * still unfilled after maxFillBars bars. A bar with zero volume fills nothing (unless the cap is disabled).
 *
 * Protective orders. Reduce-only and closePosition orders may be placed while flat (to go with a pending entry);
 * they never increase or flip a position (clipped to the position; one that can reduce nothing when it acts
 * EXPIRES, as Binance rejects it). When the position goes flat, every open protective order EXPIRES; a
 * liquidation expires all open orders. User cancels are CANCELED and take effect at once.
 *
 * Time. Events caused by a bar are stamped with its closeTime (the broker learns what happened inside a bar when
 * it closes, and the stamp then sorts with the candle that revealed it); FundingSettled carries the settlement
 * time; orders accepted or cancelled by a command carry clock.now(). Bars must move strictly forward and funding
 * times must not go back; bad bars (NaN, low > high) throw.
 *
 * Rejections (SubmitResult, never exceptions): the Instrument filters (QTY_BELOW_MIN, QTY_ABOVE_MAX,
 * NOTIONAL_BELOW_MIN — not applied to reduce-only orders, as on Binance — PRICE_NOT_POSITIVE), MISSING_PRICE,
 * CLOSE_POSITION_NOT_CONDITIONAL, DUPLICATE_CLIENT_ORDER_ID, NO_MARKET_PRICE (a market order before the first bar),
 * WOULD_IMMEDIATELY_TRIGGER (Binance −2021), LEVERAGE_ABOVE_BRACKET (the resulting notional, open orders included,
 * needs a bracket whose max leverage is below the current one) and INSUFFICIENT_MARGIN (initial margin of the
 * exposure the order would open + its taker fee > wallet − isolated margin − what other open orders reserve).
 * Margin is checked on submission only; the reference price is the limit price, the trigger, or the last close.
 * Leverage applies to exposure opened after setLeverage; an open position keeps the margin it was opened with.
 */
export class SimulatedBroker implements Broker {
  private readonly instrument: Instrument;
  private readonly brackets: MarginBrackets;
  private readonly clock: Clock;
  private readonly takerFee: number;
  private readonly makerFee: number;
  private readonly slippageBps: number;
  private readonly impactBps: number;
  private readonly participationCap: number;
  private readonly maxFillBars: number;
  private readonly latencyBars: number;
  private readonly account: Account;
  private leverage: number;

  /** Open orders in submission order; terminal ones are compacted out at the end of each bar. */
  private readonly orders: WorkingOrder[] = [];
  private readonly openById = new Map<string, WorkingOrder>();
  /** The live orders as snapshots show them (frozen copies), made again only after an order changed. */
  private openOrders: readonly OrderState[] | undefined = NO_ORDERS;
  private readonly usedIds = new Set<string>();
  private readonly handlers: ((event: BrokerEvent) => void)[] = [];

  private barCount = 0;
  /** True inside onBar, where handlers may cancel: the bar's loops hold indices, so compaction waits for its end. */
  private inBar = false;
  private lastBarTime = -Infinity;
  private lastFundingTime = -Infinity;
  private lastPrice = Number.NaN;
  private markPrice = 0;
  /** Liquidation price of the open position, refreshed whenever the position or its margin changes. */
  private liqPrice = 0;

  constructor(options: SimulatedBrokerOptions) {
    this.instrument = options.instrument;
    this.brackets = options.brackets;
    this.clock = options.clock;
    this.takerFee = option(options.takerFee, 0.0005, 'takerFee', (v) => v >= 0 && v < 0.1);
    this.makerFee = option(options.makerFee, 0.0002, 'makerFee', (v) => v > -0.1 && v < 0.1);
    this.slippageBps = option(options.slippageBps, 2, 'slippageBps', (v) => v >= 0 && v < 10_000);
    this.impactBps = option(options.impactBps, 10, 'impactBps', (v) => v >= 0 && v < 10_000);
    this.participationCap = option(options.participationCap, 0.1, 'participationCap', (v) => v > 0);
    this.maxFillBars = option(options.maxFillBars, 10, 'maxFillBars', (v) => Number.isInteger(v) && v >= 1);
    this.latencyBars = option(options.latencyBars, 1, 'latencyBars', (v) => Number.isInteger(v) && v >= 1);
    this.leverage = option(options.leverage, 20, 'leverage', (v) => Number.isInteger(v) && v >= 1 && v <= this.brackets.tiers[0]!.maxLeverage);
    this.account = new Account(options.initialBalance);
  }

  /** True while a position is open (the replay loop reads it on every bar). */
  get hasPosition(): boolean {
    return this.account.quantity !== 0;
  }

  onEvent(handler: (event: BrokerEvent) => void): void {
    this.handlers.push(handler);
  }

  async submit(request: OrderRequest): Promise<SubmitResult> {
    return this.accept(request);
  }

  async cancel(clientOrderId: string): Promise<boolean> {
    const order = this.openById.get(clientOrderId);
    if (order === undefined) return false;
    this.finish(order, 'CANCELED', this.clock.now());
    this.compact();
    return true;
  }

  async cancelAll(): Promise<void> {
    const ts = this.clock.now();
    for (const order of this.orders) if (order.live) this.finish(order, 'CANCELED', ts);
    this.compact();
  }

  async setLeverage(leverage: number): Promise<void> {
    const max = this.brackets.tiers[0]!.maxLeverage;
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > max) {
      throw inputError('BAD_LEVERAGE', `leverage must be an integer from 1 to ${max}, got ${leverage}`, { where: 'leverage' });
    }
    const notional = Math.abs(this.account.quantity) * this.markPrice;
    if (leverage > this.brackets.maxLeverage(notional)) {
      throw inputError('LEVERAGE_NOT_ALLOWED', `leverage ${leverage} exceeds ${this.brackets.maxLeverage(notional)}, the maximum for the open position's notional ${notional.toFixed(2)}`, {
        where: 'leverage',
        hint: 'lower the leverage or reduce the position first',
      });
    }
    this.leverage = leverage;
  }

  equity(): number {
    return this.account.equity(this.markPrice);
  }

  snapshot(into: BrokerSnapshot = emptySnapshot()): BrokerSnapshot {
    const a = this.account;
    into.ts = this.clock.now();
    into.wallet = a.wallet;
    into.equity = this.equity();
    into.quantity = a.quantity;
    into.entryPrice = a.entryPrice;
    into.markPrice = this.markPrice;
    into.unrealizedPnl = a.unrealizedPnl(this.markPrice);
    into.isolatedMargin = a.isolatedMargin;
    into.leverage = this.leverage;
    into.liquidationPrice = a.quantity === 0 ? 0 : this.liqPrice;
    into.realizedPnl = a.realizedPnl;
    into.fees = a.fees;
    into.funding = a.funding;
    into.openOrders = this.openOrders ??= liveOrders(this.orders);
    return into;
  }

  /** Replay driver: one base candle has closed. Hot path: returns at once when flat with no open orders. */
  onBar(bar: BrokerBar): void {
    const { closeTime, open, high, low, close } = bar;
    const markClose = bar.markClose ?? close;
    // One combined test keeps the hot path to a few float compares (NaN fails every one); the message is built off it.
    if (!(low > 0 && low <= open && open <= high && low <= close && close <= high && bar.volume >= 0 && markClose > 0 && closeTime > this.lastBarTime)) {
      throw badBar(bar, this.lastBarTime);
    }
    this.lastBarTime = closeTime;
    this.lastPrice = close;
    this.markPrice = markClose;
    const index = this.barCount++;
    if (this.orders.length === 0 && this.account.quantity === 0) return;
    this.inBar = true;
    try {
      this.processBar(bar, index);
    } finally {
      this.inBar = false;
    }
    this.compact();
  }

  /** Replay driver: a funding settlement (Binance: 00:00, 08:00, 16:00 UTC). Longs pay when the rate is positive. */
  onFunding(ts: number, rate: number, markPrice: number): void {
    if (!Number.isFinite(rate) || !(markPrice > 0) || !Number.isFinite(markPrice)) {
      throw invariantError('BAD_FUNDING', `funding at ${ts}: rate ${rate}, mark price ${markPrice}`);
    }
    if (!(ts >= this.lastFundingTime)) throw invariantError('TIME_BACKWARDS', `funding at ${ts} comes after a settlement at ${this.lastFundingTime}`);
    this.lastFundingTime = ts;
    if (this.account.quantity === 0) return;
    const payment = this.account.settleFunding(markPrice, rate);
    this.refreshLiquidationPrice();
    this.emit({ type: 'FundingSettled', ts, rate, markPrice, payment });
  }

  private accept(request: OrderRequest): SubmitResult {
    const { clientOrderId, side, type } = request;
    if ((side !== 1 && side !== -1) || Number.isNaN(request.quantity) || Number.isNaN(request.price) || Number.isNaN(request.triggerPrice)) {
      throw invariantError('BAD_ORDER', `order ${clientOrderId} has side ${side}, quantity ${request.quantity}, price ${request.price}, trigger ${request.triggerPrice}`);
    }
    if (this.usedIds.has(clientOrderId)) return rejected(clientOrderId, 'DUPLICATE_CLIENT_ORDER_ID', `client order id ${clientOrderId} was used before`);
    const conditional = type === 'STOP_MARKET' || type === 'TAKE_PROFIT_MARKET';
    const closePosition = request.closePosition === true;
    if (closePosition && !conditional) return rejected(clientOrderId, 'CLOSE_POSITION_NOT_CONDITIONAL', `closePosition needs STOP_MARKET or TAKE_PROFIT_MARKET, got ${type}`);
    const given = type === 'LIMIT' ? request.price : conditional ? request.triggerPrice : this.lastPrice;
    if (given === undefined) return rejected(clientOrderId, 'MISSING_PRICE', `${type} order ${clientOrderId} needs ${type === 'LIMIT' ? 'price' : 'triggerPrice'}`);
    if (Number.isNaN(given)) return rejected(clientOrderId, 'NO_MARKET_PRICE', 'a market order needs a last price: no bar has closed yet');

    let price = this.instrument.roundPrice(given);
    let quantity = 0;
    if (closePosition) {
      if (!(given > 0)) return rejected(clientOrderId, 'PRICE_NOT_POSITIVE', `trigger ${given}`);
    } else {
      const check = this.instrument.checkOrder(given, request.quantity);
      const exempt = check.status === 'REJECTED' && check.reason === 'NOTIONAL_BELOW_MIN' && request.reduceOnly;
      if (check.status === 'REJECTED' && !exempt) return rejected(clientOrderId, check.reason, check.detail);
      quantity = check.status === 'OK' ? check.quantity : this.instrument.roundQty(request.quantity);
      if (check.status === 'OK') price = check.price;
    }
    if (type === 'MARKET') price = given;

    if (conditional && !Number.isNaN(this.lastPrice)) {
      const direction = triggerDirection(type, side);
      if (direction * (this.lastPrice - price) >= 0) {
        return rejected(clientOrderId, 'WOULD_IMMEDIATELY_TRIGGER', `${type} ${side === 1 ? 'buy' : 'sell'} trigger ${price} is already passed by the last price ${this.lastPrice}`);
      }
    }

    if (!request.reduceOnly && !closePosition) {
      const rejection = this.checkMargin(side, quantity, price);
      if (rejection !== undefined) return rejected(clientOrderId, rejection.reason, rejection.detail);
    }

    const now = this.clock.now();
    // Every state has the same fields in the same order: one hidden class keeps the per-bar loops monomorphic.
    const state: OrderState = {
      clientOrderId,
      side,
      type,
      quantity,
      price: type === 'LIMIT' ? price : undefined,
      triggerPrice: conditional ? price : undefined,
      reduceOnly: request.reduceOnly,
      closePosition,
      status: 'NEW',
      filledQuantity: 0,
      averagePrice: 0,
      createdAt: now,
      updatedAt: now,
    };
    const protective = request.reduceOnly || closePosition;
    const order: WorkingOrder = {
      state,
      live: true,
      phase: type === 'MARKET' ? AT_OPEN : !protective ? ENTRY : type === 'STOP_MARKET' ? STOP : EXIT,
      isLimit: type === 'LIMIT',
      isConditional: conditional,
      protective,
      level: price,
      direction: triggerDirection(type, side),
      eligibleFrom: this.barCount + this.latencyBars - 1,
      arrived: false,
      triggered: false,
      marketBars: 0,
      actedBar: NO_BAR,
    };
    this.usedIds.add(clientOrderId);
    this.openById.set(clientOrderId, order);
    this.orders.push(order);
    this.openOrders = undefined;
    this.emit({ type: 'OrderUpdated', ts: now, order: { ...state } });
    return { status: 'ACCEPTED', order: { ...state } };
  }

  private checkMargin(side: Side, quantity: number, price: number): { reason: string; detail: string } | undefined {
    const a = this.account;
    const closable = a.quantity * side < 0 ? Math.abs(a.quantity) : 0;
    const opening = Math.max(0, quantity - closable);
    if (opening === 0) return undefined;
    let pendingNotional = 0;
    let reserved = 0;
    for (const o of this.orders) {
      if (!o.live || o.protective) continue;
      const remaining = o.state.quantity - o.state.filledQuantity;
      const reference = o.phase === AT_OPEN ? this.lastPrice : o.level;
      pendingNotional += remaining * reference;
      reserved += remaining * reference * (1 / this.leverage + this.takerFee);
    }
    const held = closable === 0 ? Math.abs(a.quantity) * price : 0;
    const notional = held + opening * price + pendingNotional;
    const allowed = this.brackets.maxLeverage(notional);
    if (this.leverage > allowed) {
      return { reason: 'LEVERAGE_ABOVE_BRACKET', detail: `notional ${notional.toFixed(2)} allows at most ${allowed}x, leverage is ${this.leverage}x` };
    }
    const required = (opening * price) / this.leverage + quantity * price * this.takerFee;
    const available = a.wallet - a.isolatedMargin - reserved;
    if (required > available) {
      return { reason: 'INSUFFICIENT_MARGIN', detail: `initial margin + fee ${required.toFixed(2)} > available balance ${available.toFixed(2)}` };
    }
    return undefined;
  }

  private processBar(bar: BrokerBar, index: number): void {
    const orders = this.orders;
    const ts = bar.closeTime;
    const open = bar.open;
    // Phase 1: the open. Handlers may submit during the loop: new orders land at the end and are not yet eligible.
    // The same pass notes whether the bar reaches any order's level at all; on most bars none is, and the
    // intrabar phases are skipped.
    let reached = false;
    let marketLike = false;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      if (!o.live || o.eligibleFrom > index) continue;
      if (o.phase === AT_OPEN || o.triggered) {
        marketLike = true;
        this.fillMarket(o, open, bar, index);
        continue;
      }
      const side = o.state.side;
      if (o.isLimit && !o.arrived) {
        o.arrived = true;
        if (side * (o.level - open) >= 0) {
          const quantity = this.executable(o, bar, index);
          if (quantity > 0) {
            const slipped = open * (1 + side * slippageFraction(this.slippageBps, this.impactBps, quantity, bar.volume));
            this.execute(o, quantity, side === 1 ? Math.min(o.level, slipped) : Math.max(o.level, slipped), this.takerFee, 'taker', ts);
          }
        }
      }
      // A limit is reached when the bar trades down (buy) or up (sell) to it; a trigger in its direction.
      const up = o.isLimit ? side === -1 : o.direction === 1;
      if (up ? bar.high >= o.level : bar.low <= o.level) reached = true;
    }
    if (reached) {
      for (let i = 0; i < orders.length; i++) {
        const o = orders[i]!;
        if (!o.live || !o.isConditional || o.triggered || o.eligibleFrom > index || o.direction * (open - o.level) < 0) continue;
        if (o.protective && !this.exitsBeforeLiquidation(open, bar)) continue;
        o.triggered = true;
        this.fillMarket(o, open, bar, index);
      }
      this.tradeThrough(bar, index, ENTRY);
      this.tradeThrough(bar, index, STOP);
    }
    this.liquidateIfCrossed(bar);
    if (reached) this.tradeThrough(bar, index, EXIT);

    if (!marketLike && !reached) return;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      if (o.live && (o.phase === AT_OPEN || o.triggered) && o.marketBars >= this.maxFillBars) this.finish(o, 'EXPIRED', ts);
    }
  }

  /** The orders of one intrabar phase that the bar trades through: limits at their price, conditionals at their trigger. */
  private tradeThrough(bar: BrokerBar, index: number, phase: Phase): void {
    const orders = this.orders;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      if (o.phase !== phase || !o.live || o.triggered || o.eligibleFrom > index || o.actedBar === index) continue;
      const level = o.level;
      if (o.isLimit) {
        if (o.state.side === 1 ? bar.low > level : bar.high < level) continue;
        const quantity = this.executable(o, bar, index);
        const price = o.state.side === 1 ? Math.min(level, bar.open) : Math.max(level, bar.open);
        if (quantity > 0) this.execute(o, quantity, price, this.makerFee, 'maker', bar.closeTime);
        continue;
      }
      if (o.direction === 1 ? bar.high < level : bar.low > level) continue;
      if (o.protective && !this.exitsBeforeLiquidation(level, bar)) continue;
      o.triggered = true;
      this.fillMarket(o, level, bar, index);
    }
  }

  /** Whether a protective exit filling at `price` comes before a liquidation in this bar (always, when none happens). */
  private exitsBeforeLiquidation(price: number, bar: BrokerBar): boolean {
    const q = this.account.quantity;
    if (q === 0 || !this.liquidates(bar)) return true;
    return q > 0 ? price > this.liqPrice && bar.open > this.liqPrice : price < this.liqPrice && bar.open < this.liqPrice;
  }

  private liquidates(bar: BrokerBar): boolean {
    const q = this.account.quantity;
    if (q > 0) return this.liqPrice > 0 && (bar.markLow ?? bar.low) <= this.liqPrice;
    return q < 0 && (bar.markHigh ?? bar.high) >= this.liqPrice;
  }

  private liquidateIfCrossed(bar: BrokerBar): void {
    if (!this.liquidates(bar)) return;
    const a = this.account;
    const q = a.quantity;
    const price = this.liqPrice;
    const realized = q * (price - a.entryPrice);
    // Binance's clearance keeps whatever margin is left at the liquidation price (about the maintenance margin).
    const clearance = Math.max(0, a.isolatedMargin + realized);
    const side: Side = q > 0 ? -1 : 1;
    const effect = a.fill(side, Math.abs(q), price, clearance, this.leverage);
    this.liqPrice = 0;
    const ts = bar.closeTime;
    const fill: Fill = {
      ts,
      clientOrderId: `liquidation-${ts}`,
      side,
      quantity: Math.abs(q),
      price,
      fee: clearance,
      liquidity: 'taker',
      reason: 'LIQUIDATION',
      realizedPnl: effect.realizedPnl,
    };
    this.emit({ type: 'PositionLiquidated', ts, fill, markPrice: q > 0 ? (bar.markLow ?? bar.low) : (bar.markHigh ?? bar.high), liquidationPrice: price });
    for (const o of this.orders) if (o.live) this.finish(o, 'EXPIRED', ts);
  }

  /** A market-type fill at `base` (the open, or a trigger) less slippage. */
  private fillMarket(o: WorkingOrder, base: number, bar: BrokerBar, index: number): void {
    o.marketBars++;
    const quantity = this.executable(o, bar, index);
    if (quantity <= 0) return;
    const price = base * (1 + o.state.side * slippageFraction(this.slippageBps, this.impactBps, quantity, bar.volume));
    this.execute(o, quantity, price, this.takerFee, 'taker', bar.closeTime);
  }

  /**
   * How much the order may fill now: its remainder, clipped to the position for protective orders (EXPIRED when
   * that is nothing), capped at the participation share of the bar's volume (0 = wait for a later bar).
   */
  private executable(o: WorkingOrder, bar: BrokerBar, index: number): number {
    o.actedBar = index;
    const s = o.state;
    let quantity = s.closePosition ? Infinity : s.quantity - s.filledQuantity;
    if (s.reduceOnly || s.closePosition) {
      const held = this.account.quantity;
      const reducible = held * s.side < 0 ? Math.abs(held) : 0;
      if (reducible === 0) {
        this.finish(o, 'EXPIRED', bar.closeTime);
        return 0;
      }
      quantity = Math.min(quantity, reducible);
    }
    const cap = this.participationCap * bar.volume;
    // With the cap disabled (Infinity) and no volume, cap is NaN and nothing is capped.
    if (quantity > cap) quantity = this.instrument.roundQty(cap);
    return quantity;
  }

  private execute(o: WorkingOrder, quantity: number, price: number, feeRate: number, liquidity: 'maker' | 'taker', ts: number): void {
    const a = this.account;
    const s = o.state;
    const held = a.quantity;
    const fee = quantity * price * feeRate;
    const effect = a.fill(s.side, quantity, price, fee, this.leverage);
    this.refreshLiquidationPrice();
    s.averagePrice = (s.averagePrice * s.filledQuantity + price * quantity) / (s.filledQuantity + quantity);
    s.filledQuantity += quantity;
    const done = s.closePosition ? a.quantity === 0 : s.filledQuantity >= s.quantity - this.instrument.step / 2;
    s.status = done ? 'FILLED' : 'PARTIALLY_FILLED';
    s.updatedAt = ts;
    this.openOrders = undefined;
    if (done) {
      o.live = false;
      this.openById.delete(s.clientOrderId);
    }
    const fill: Fill = { ts, clientOrderId: s.clientOrderId, side: s.side, quantity, price, fee, liquidity, reason: fillReason(o), realizedPnl: effect.realizedPnl };
    this.emit({ type: 'OrderFilled', ts, fill, order: { ...s } });
    if (held !== 0 && a.quantity === 0) {
      for (const other of this.orders) if (other.live && other.protective) this.finish(other, 'EXPIRED', ts);
    }
  }

  private finish(o: WorkingOrder, status: OrderStatus, ts: number): void {
    o.live = false;
    o.state.status = status;
    o.state.updatedAt = ts;
    this.openOrders = undefined;
    this.openById.delete(o.state.clientOrderId);
    this.emit({ type: 'OrderUpdated', ts, order: { ...o.state } });
  }

  /** Drop finished orders (in place) so that the flat fast path sees an empty book; never in the middle of a bar. */
  private compact(): void {
    if (this.inBar) return;
    const orders = this.orders;
    let kept = 0;
    for (const o of orders) if (o.live) orders[kept++] = o;
    // Setting length is a runtime call: skip it on the common bar where nothing finished.
    if (kept < orders.length) orders.length = kept;
  }

  private refreshLiquidationPrice(): void {
    const a = this.account;
    this.liqPrice = a.quantity === 0 ? 0 : liquidationPrice(a.quantity > 0 ? 1 : -1, a.quantity, a.entryPrice, a.isolatedMargin, this.brackets);
  }

  private emit(event: BrokerEvent): void {
    for (const handler of this.handlers) handler(event);
  }
}

/**
 * A submission's rejection. A function of the module, not a closure made in `accept`: tsx names every closure it
 * makes (esbuild's keepNames), and that cost showed on the order path.
 */
function rejected(clientOrderId: string, reason: string, detail: string): SubmitResult {
  return { status: 'REJECTED', clientOrderId, reason, detail };
}

/** +1 when the order triggers as the price rises to its trigger (buy stop, sell take-profit), −1 when it falls. */
function triggerDirection(type: OrderRequest['type'], side: Side): 1 | -1 {
  return type === 'STOP_MARKET' ? side : (-side as Side);
}

function fillReason(o: WorkingOrder): FillReason {
  if (!o.protective) return 'ORDER';
  if (o.state.type === 'STOP_MARKET') return 'STOP_LOSS';
  return o.state.type === 'TAKE_PROFIT_MARKET' ? 'TAKE_PROFIT' : 'ORDER';
}

function badBar(bar: BrokerBar, lastBarTime: number): Error {
  if (!(bar.closeTime > lastBarTime)) {
    return invariantError('TIME_BACKWARDS', `bar closing at ${bar.closeTime} comes after a bar that closed at ${lastBarTime}`);
  }
  const mark = bar.markClose === undefined ? '' : ` mark close ${bar.markClose}`;
  return invariantError('BAD_BAR', `bar closing at ${bar.closeTime} is not a valid candle: O ${bar.open} H ${bar.high} L ${bar.low} C ${bar.close} V ${bar.volume}${mark}`);
}

function option(value: number | undefined, fallback: number, name: string, valid: (v: number) => boolean): number {
  const v = value ?? fallback;
  if (!valid(v)) throw inputError('BAD_BROKER_OPTION', `broker option ${name} is out of range: ${v}`, { where: `broker.${name}` });
  return v;
}
