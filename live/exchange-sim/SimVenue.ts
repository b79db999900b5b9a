import {
  MarginBrackets,
  SimulatedBroker,
  XylenError,
  type BrokerBar,
  type BrokerEvent,
  type Clock,
  type Fill,
  type Instrument,
  type OrderRequest,
  type OrderState,
} from '../../engine/index.ts';
import { BinanceError, ERR } from './BinanceError.ts';
import { dec } from './decimal.ts';

export type BinanceOrderType = 'MARKET' | 'LIMIT' | 'STOP_MARKET' | 'TAKE_PROFIT_MARKET';

/** An order as the simulator keeps it: Binance's fields, with the engine's order state behind it. */
export interface SimOrder {
  /** orderId for regular orders, algoId for conditional (algo) orders. */
  id: number;
  algo: boolean;
  clientId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: BinanceOrderType;
  timeInForce: string;
  origQty: number;
  price: number;
  stopPrice: number;
  reduceOnly: boolean;
  closePosition: boolean;
  workingType: string;
  /** Binance status (regular: NEW…FILLED; algo: NEW, TRIGGERED, FINISHED, CANCELED, EXPIRED). */
  status: string;
  executedQty: number;
  cumQuote: number;
  time: number;
  updateTime: number;
  /** Algo orders: the market order the trigger placed in the matching engine. */
  actualOrderId?: number;
  triggerTime: number;
}

export interface SimTrade {
  id: number;
  orderId: number;
  clientId: string;
  side: 'BUY' | 'SELL';
  price: number;
  qty: number;
  realizedPnl: number;
  commission: number;
  time: number;
  maker: boolean;
}

export interface NewOrderParams {
  side: 'BUY' | 'SELL';
  type: BinanceOrderType;
  quantity?: number;
  price?: number;
  stopPrice?: number;
  reduceOnly: boolean;
  closePosition: boolean;
  clientId: string;
  timeInForce: string;
  workingType: string;
  algo: boolean;
}

export interface SimVenueOptions {
  symbol: string;
  instrument: Instrument;
  clock: Clock;
  initialBalance: number;
  takerFee: number;
  makerFee: number;
  slippageBps: number;
  brackets: MarginBrackets;
  leverage: number;
}

type UserEvent = Record<string, unknown>;

/**
 * The simulator's account: one one-way USDⓈ-M position in one symbol on isolated margin, with its orders and
 * trades. Matching is the engine's SimulatedBroker — the same fill logic the replay uses, not a second
 * implementation — fed with each bar as the simulator's clock closes it. This class only translates: Binance
 * requests into broker orders, broker events into Binance order states, trades and user-data events
 * (ACCOUNT_UPDATE before ORDER_TRADE_UPDATE for a fill, so a client's position is current when it sees the fill).
 */
export class SimVenue {
  readonly broker: SimulatedBroker;
  readonly brackets: MarginBrackets;
  private readonly orders = new Map<string, SimOrder>();
  private readonly byOrderId = new Map<number, SimOrder>();
  private readonly byAlgoId = new Map<number, SimOrder>();
  readonly trades: SimTrade[] = [];
  private nextOrderId = 4_000_000_001;
  private nextAlgoId = 3_000_001;
  private nextTradeId = 700_000_001;
  private userListeners: ((event: UserEvent) => void)[] = [];
  marginType: 'ISOLATED' | 'CROSSED' = 'ISOLATED';

  constructor(private readonly options: SimVenueOptions) {
    this.brackets = options.brackets;
    this.broker = new SimulatedBroker({
      instrument: options.instrument,
      brackets: options.brackets,
      clock: options.clock,
      initialBalance: options.initialBalance,
      takerFee: options.takerFee,
      makerFee: options.makerFee,
      slippageBps: options.slippageBps,
      leverage: options.leverage,
    });
    this.broker.onEvent((event) => this.onBrokerEvent(event));
  }

  onUserEvent(listener: (event: UserEvent) => void): () => void {
    this.userListeners.push(listener);
    return () => {
      this.userListeners = this.userListeners.filter((l) => l !== listener);
    };
  }

  get symbol(): string {
    return this.options.symbol;
  }

  /** A bar closed on the simulator's clock: match it, then settle the funding due by its close. */
  onBar(bar: BrokerBar, funding: readonly { ts: number; rate: number }[]): void {
    this.broker.onBar(bar);
    for (const f of funding) this.broker.onFunding(f.ts, f.rate, bar.close);
  }

  async submit(p: NewOrderParams): Promise<SimOrder> {
    if (this.orders.has(p.clientId)) throw ERR.duplicateClientId();
    const ins = this.options.instrument;
    const side = p.side === 'BUY' ? 1 : -1;
    const conditional = p.type === 'STOP_MARKET' || p.type === 'TAKE_PROFIT_MARKET';
    if (conditional !== p.algo) throw ERR.badOrderType();
    if (p.closePosition) {
      if (!conditional) throw ERR.illegalParam('closePosition');
      if (p.quantity !== undefined) throw ERR.closePositionQty();
      if (p.reduceOnly) throw ERR.notRequired('reduceonly');
    } else if (p.quantity === undefined) {
      throw ERR.mandatory('quantity');
    }
    if (p.type === 'LIMIT' && p.price === undefined) throw ERR.mandatory('price');
    if (conditional && p.stopPrice === undefined) throw ERR.mandatory('triggerPrice');
    const request: OrderRequest = {
      clientOrderId: p.clientId,
      side,
      type: p.type,
      quantity: p.quantity ?? 0,
      ...(p.type === 'LIMIT' ? { price: p.price! } : {}),
      ...(conditional ? { triggerPrice: p.stopPrice! } : {}),
      reduceOnly: p.reduceOnly || p.closePosition,
      closePosition: p.closePosition,
    };
    const now = this.options.clock.now();
    const order: SimOrder = {
      id: p.algo ? this.nextAlgoId++ : this.nextOrderId++,
      algo: p.algo,
      clientId: p.clientId,
      symbol: this.symbol,
      side: p.side,
      type: p.type,
      timeInForce: p.type === 'MARKET' ? 'GTC' : p.timeInForce,
      origQty: p.quantity ?? 0,
      price: p.price ?? 0,
      stopPrice: p.stopPrice ?? 0,
      reduceOnly: p.reduceOnly,
      closePosition: p.closePosition,
      workingType: p.workingType,
      status: 'NEW',
      executedQty: 0,
      cumQuote: 0,
      time: now,
      updateTime: now,
      triggerTime: 0,
    };
    // Registered before submitting: the broker announces the new order synchronously from inside submit.
    this.orders.set(p.clientId, order);
    const result = await this.broker.submit(request);
    if (result.status === 'REJECTED') {
      this.orders.delete(p.clientId);
      throw rejection(result.reason, ins.spec.minNotional);
    }
    (p.algo ? this.byAlgoId : this.byOrderId).set(order.id, order);
    return order;
  }

  /** Regular lookups also find the market order a triggered algo order placed (by its orderId or client id). */
  find(by: { orderId?: number; clientId?: string; algo: boolean }): SimOrder | undefined {
    const order = by.clientId !== undefined ? this.orders.get(by.clientId) : by.orderId !== undefined ? (by.algo ? this.byAlgoId : this.byOrderId).get(by.orderId) : undefined;
    if (order === undefined) return undefined;
    if (by.algo) return order.algo ? order : undefined;
    return !order.algo || order.actualOrderId !== undefined ? order : undefined;
  }

  async cancel(order: SimOrder): Promise<SimOrder> {
    const open = await this.broker.cancel(order.clientId);
    if (!open) throw ERR.unknownOrder();
    return order;
  }

  async cancelAll(algo: boolean): Promise<void> {
    for (const order of this.openOrders(algo)) await this.broker.cancel(order.clientId);
  }

  openOrders(algo: boolean): SimOrder[] {
    return [...this.orders.values()].filter((o) => o.algo === algo && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'));
  }

  allOrders(algo: boolean): SimOrder[] {
    return [...this.orders.values()].filter((o) => o.algo === algo || (!algo && o.actualOrderId !== undefined));
  }

  async setLeverage(leverage: number): Promise<void> {
    try {
      await this.broker.setLeverage(leverage);
    } catch (error) {
      if (error instanceof XylenError) throw ERR.invalidLeverage();
      throw error;
    }
  }

  /** Binance's regular order object (GET/POST/DELETE /fapi/v1/order, openOrders, allOrders). */
  orderJson(o: SimOrder): Record<string, unknown> {
    const avg = o.executedQty > 0 ? o.cumQuote / o.executedQty : 0;
    return {
      orderId: o.algo ? o.actualOrderId : o.id,
      symbol: o.symbol,
      status: o.algo ? (o.executedQty > 0 ? 'FILLED' : 'EXPIRED') : o.status,
      clientOrderId: o.clientId,
      price: dec(o.price),
      avgPrice: dec(avg),
      origQty: dec(o.origQty),
      executedQty: dec(o.executedQty),
      cumQty: dec(o.executedQty),
      cumQuote: dec(o.cumQuote),
      timeInForce: o.timeInForce,
      type: o.algo ? 'MARKET' : o.type,
      reduceOnly: o.reduceOnly,
      closePosition: o.closePosition,
      side: o.side,
      positionSide: 'BOTH',
      stopPrice: dec(o.stopPrice),
      workingType: o.workingType,
      priceProtect: false,
      origType: o.type,
      priceMatch: 'NONE',
      selfTradePreventionMode: 'NONE',
      goodTillDate: 0,
      time: o.time,
      updateTime: o.updateTime,
    };
  }

  /** Binance's algo order object (POST/GET/DELETE /fapi/v1/algoOrder, openAlgoOrders). */
  algoJson(o: SimOrder): Record<string, unknown> {
    return {
      algoId: o.id,
      clientAlgoId: o.clientId,
      algoType: 'CONDITIONAL',
      orderType: o.type,
      symbol: o.symbol,
      side: o.side,
      positionSide: 'BOTH',
      timeInForce: o.timeInForce,
      quantity: dec(o.origQty),
      algoStatus: o.status,
      actualOrderId: o.actualOrderId === undefined ? '' : String(o.actualOrderId),
      actualPrice: o.executedQty > 0 ? dec(o.cumQuote / o.executedQty) : '0',
      triggerPrice: dec(o.stopPrice),
      price: dec(o.price),
      icebergQuantity: null,
      selfTradePreventionMode: 'NONE',
      workingType: o.workingType,
      priceMatch: 'NONE',
      closePosition: o.closePosition,
      priceProtect: false,
      reduceOnly: o.reduceOnly,
      createTime: o.time,
      updateTime: o.updateTime,
      triggerTime: o.triggerTime,
      goodTillDate: 0,
    };
  }

  /** Wallet, position and margin in Binance's terms (positionRisk, account, balance). */
  account(): {
    wallet: number;
    equity: number;
    unrealized: number;
    quantity: number;
    entryPrice: number;
    markPrice: number;
    isolatedMargin: number;
    liquidationPrice: number;
    leverage: number;
    available: number;
    openOrderMargin: number;
  } {
    const s = this.broker.snapshot();
    const openOrderMargin = s.openOrders.filter((o) => !o.reduceOnly && !o.closePosition).reduce((sum, o) => sum + ((o.quantity - o.filledQuantity) * (o.price ?? o.triggerPrice ?? s.markPrice)) / s.leverage, 0);
    return {
      wallet: s.wallet,
      equity: s.equity,
      unrealized: s.unrealizedPnl,
      quantity: s.quantity,
      entryPrice: s.entryPrice,
      markPrice: s.markPrice,
      isolatedMargin: s.isolatedMargin,
      liquidationPrice: s.liquidationPrice,
      leverage: s.leverage,
      available: Math.max(0, s.wallet - s.isolatedMargin - openOrderMargin),
      openOrderMargin,
    };
  }

  private onBrokerEvent(event: BrokerEvent): void {
    switch (event.type) {
      case 'OrderUpdated':
        return this.onOrderUpdated(event.ts, event.order);
      case 'OrderFilled':
        return this.onFill(event.ts, event.fill, event.order);
      case 'FundingSettled':
        return this.accountUpdate(event.ts, 'FUNDING_FEE', event.payment);
      case 'PositionLiquidated':
        return this.onLiquidation(event.ts, event.fill);
    }
  }

  private onOrderUpdated(ts: number, state: OrderState): void {
    const order = this.orders.get(state.clientOrderId);
    if (!order) return;
    const status = order.algo ? algoStatus(state.status, order.executedQty > 0) : state.status;
    order.status = status;
    order.updateTime = ts;
    if (order.algo) this.emitAlgo(ts, order);
    else this.emitOrder(ts, order, state.status === 'NEW' ? 'NEW' : state.status === 'CANCELED' ? 'CANCELED' : 'EXPIRED', undefined);
  }

  private onFill(ts: number, fill: Fill, state: OrderState): void {
    const order = this.orders.get(fill.clientOrderId);
    if (!order) return;
    if (order.algo && order.actualOrderId === undefined) {
      order.actualOrderId = this.nextOrderId++;
      order.triggerTime = ts;
      order.status = 'TRIGGERED';
      order.updateTime = ts;
      this.byOrderId.set(order.actualOrderId, order);
      this.emitAlgo(ts, order);
    }
    order.executedQty += fill.quantity;
    order.cumQuote += fill.quantity * fill.price;
    order.updateTime = ts;
    const done = state.status === 'FILLED';
    if (!order.algo) order.status = state.status;
    else if (done) order.status = 'FINISHED';
    const trade: SimTrade = {
      id: this.nextTradeId++,
      orderId: order.algo ? order.actualOrderId! : order.id,
      clientId: order.clientId,
      side: order.side,
      price: fill.price,
      qty: fill.quantity,
      realizedPnl: fill.realizedPnl,
      commission: fill.fee,
      time: ts,
      maker: fill.liquidity === 'maker',
    };
    this.trades.push(trade);
    this.accountUpdate(ts, 'ORDER', 0);
    this.emitOrder(ts, order, 'TRADE', trade);
    if (order.algo && done) this.emitAlgo(ts, order);
  }

  private onLiquidation(ts: number, fill: Fill): void {
    const id = this.nextOrderId++;
    const side = fill.side === 1 ? 'BUY' : 'SELL';
    const trade: SimTrade = { id: this.nextTradeId++, orderId: id, clientId: fill.clientOrderId, side, price: fill.price, qty: fill.quantity, realizedPnl: fill.realizedPnl, commission: fill.fee, time: ts, maker: false };
    this.trades.push(trade);
    this.accountUpdate(ts, 'ORDER', 0);
    this.emit({
      e: 'ORDER_TRADE_UPDATE',
      E: ts,
      T: ts,
      o: { ...this.orderEventBody(ts, { clientId: fill.clientOrderId, side, type: 'MARKET', origQty: fill.quantity, price: fill.price, stopPrice: 0, id, reduceOnly: true, closePosition: false }, 'TRADE', 'FILLED', fill.quantity, fill.price * fill.quantity, trade), o: 'LIQUIDATION', ot: 'LIQUIDATION' },
    });
  }

  private accountUpdate(ts: number, reason: string, balanceChange: number): void {
    const s = this.broker.snapshot();
    this.emit({
      e: 'ACCOUNT_UPDATE',
      E: ts,
      T: ts,
      a: {
        m: reason,
        B: [{ a: 'USDT', wb: dec(s.wallet), cw: dec(s.wallet - s.isolatedMargin), bc: dec(balanceChange) }],
        P: [
          {
            s: this.symbol,
            pa: dec(s.quantity),
            ep: dec(s.entryPrice),
            bep: dec(s.entryPrice),
            cr: dec(s.realizedPnl),
            up: dec(s.unrealizedPnl),
            mt: 'isolated',
            iw: dec(s.isolatedMargin),
            ps: 'BOTH',
          },
        ],
      },
    });
  }

  private emitOrder(ts: number, o: SimOrder, execution: string, trade: SimTrade | undefined): void {
    this.emit({ e: 'ORDER_TRADE_UPDATE', E: ts, T: ts, o: this.orderEventBody(ts, { ...o, id: o.algo ? o.actualOrderId! : o.id }, execution, o.algo ? (o.status === 'FINISHED' ? 'FILLED' : 'PARTIALLY_FILLED') : o.status, o.executedQty, o.cumQuote, trade, o.algo ? o.type : undefined) });
  }

  private orderEventBody(
    ts: number,
    o: Pick<SimOrder, 'clientId' | 'side' | 'type' | 'origQty' | 'price' | 'stopPrice' | 'id' | 'reduceOnly' | 'closePosition'>,
    execution: string,
    status: string,
    executed: number,
    cumQuote: number,
    trade: SimTrade | undefined,
    originalType?: string,
  ): Record<string, unknown> {
    return {
      s: this.symbol,
      c: o.clientId,
      S: o.side,
      o: originalType === undefined ? o.type : 'MARKET',
      f: 'GTC',
      q: dec(o.origQty),
      p: dec(o.price),
      ap: dec(executed > 0 ? cumQuote / executed : 0),
      sp: dec(o.stopPrice),
      x: execution,
      X: status,
      i: o.id,
      l: dec(trade?.qty ?? 0),
      z: dec(executed),
      L: dec(trade?.price ?? 0),
      N: 'USDT',
      n: dec(trade?.commission ?? 0),
      T: ts,
      t: trade?.id ?? 0,
      b: '0',
      a: '0',
      m: trade?.maker ?? false,
      R: o.reduceOnly,
      wt: 'CONTRACT_PRICE',
      ot: originalType ?? o.type,
      ps: 'BOTH',
      cp: o.closePosition,
      rp: dec(trade?.realizedPnl ?? 0),
      pP: false,
      si: 0,
      ss: 0,
      V: 'NONE',
      pm: 'NONE',
      gtd: 0,
    };
  }

  private emitAlgo(ts: number, o: SimOrder): void {
    this.emit({
      e: 'ALGO_UPDATE',
      T: ts,
      E: ts,
      o: {
        caid: o.clientId,
        aid: o.id,
        at: 'CONDITIONAL',
        o: o.type,
        s: o.symbol,
        S: o.side,
        ps: 'BOTH',
        f: o.timeInForce,
        q: dec(o.origQty),
        X: o.status,
        ai: o.actualOrderId === undefined ? '' : String(o.actualOrderId),
        ap: dec(o.executedQty > 0 ? o.cumQuote / o.executedQty : 0),
        aq: dec(o.executedQty),
        act: o.actualOrderId === undefined ? '0' : 'MARKET',
        tp: dec(o.stopPrice),
        p: dec(o.price),
        V: 'NONE',
        wt: o.workingType,
        pm: 'NONE',
        cp: o.closePosition,
        pP: false,
        R: o.reduceOnly,
        tt: o.triggerTime,
        gtd: 0,
      },
    });
  }

  private emit(event: UserEvent): void {
    for (const listener of this.userListeners) listener(event);
  }
}

function algoStatus(status: OrderState['status'], filled: boolean): string {
  switch (status) {
    case 'NEW':
      return 'NEW';
    case 'CANCELED':
      return 'CANCELED';
    case 'FILLED':
      return 'FINISHED';
    default:
      return filled ? 'FINISHED' : 'EXPIRED';
  }
}

/** The broker's rejection reason as Binance's error. */
function rejection(reason: string, minNotional: string): BinanceError {
  switch (reason) {
    case 'DUPLICATE_CLIENT_ORDER_ID':
      return ERR.duplicateClientId();
    case 'INSUFFICIENT_MARGIN':
      return ERR.marginInsufficient();
    case 'NOTIONAL_BELOW_MIN':
      return ERR.minNotional(minNotional);
    case 'QTY_BELOW_MIN':
      return ERR.qtyBelowMin();
    case 'QTY_ABOVE_MAX':
      return ERR.qtyAboveMax();
    case 'WOULD_IMMEDIATELY_TRIGGER':
      return ERR.wouldTrigger();
    case 'LEVERAGE_ABOVE_BRACKET':
      return ERR.maxPosition();
    case 'MISSING_PRICE':
      return ERR.mandatory('price');
    case 'CLOSE_POSITION_NOT_CONDITIONAL':
      return ERR.illegalParam('closePosition');
    case 'NO_MARKET_PRICE':
      return ERR.disconnected();
    default:
      return ERR.illegalParam('price');
  }
}
