import type { binanceusdm } from 'ccxt';
import WebSocket from 'ws';
import { emptySnapshot, type Broker, type BrokerBar, type BrokerEvent, type BrokerSnapshot, type Clock, type Fill, type FillReason, type Instrument, type OrderRequest, type OrderState, type OrderStatus, type Side, type SubmitResult } from '../engine/index.ts';
import { classifyExchangeError, type ExchangeErrorClass } from './exchangeErrors.ts';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  /** Longest single wait (backoff or Retry-After) [30 s]. */
  maxWaitMs?: number;
}

export interface CcxtBrokerOptions {
  exchange: binanceusdm;
  /** ccxt's unified symbol, e.g. BTC/USDT:USDT. */
  symbol: string;
  instrument: Instrument;
  clock: Clock;
  /** Websocket base URL for the user data stream (`${wsUrl}/ws/<listenKey>`). */
  wsUrl: string;
  retry: RetryPolicy;
  /** Structured events for the log, metrics and alerts (never carries keys). */
  log: (event: string, detail: Record<string, unknown>) => void;
  /** Sleeps between retries (tests may shorten). */
  sleep?: (ms: number) => Promise<void>;
}

interface Mirror {
  wallet: number;
  quantity: number;
  entryPrice: number;
  realizedPnl: number;
  fees: number;
  funding: number;
  leverage: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The live Broker: orders on Binance USDⓈ-M through ccxt's `binanceusdm` (testnet, mainnet, or the loopback
 * simulator — only the URLs differ), account state from the user data stream. Stop-loss and take-profit are
 * exchange-side closePosition algo orders, so protection outlives this process. Every request goes through one
 * error policy (exchangeErrors.ts): -1021 re-syncs the clock and retries, 429/418 wait Retry-After, 5xx and network
 * errors retry with bounded backoff, anything else is a rejection returned as a value. A retried order reuses its
 * client order id; if the first attempt went through after all (the exchange answers "duplicated"), the order is
 * looked up and adopted instead of placed again.
 */
export class CcxtBroker implements Broker {
  private readonly ex: binanceusdm;
  private readonly handlers: ((event: BrokerEvent) => void)[] = [];
  private readonly open = new Map<string, OrderState & { algo: boolean }>();
  private readonly state: Mirror = { wallet: 0, quantity: 0, entryPrice: 0, realizedPnl: 0, fees: 0, funding: 0, leverage: 0 };
  private markPrice = 0;
  /** Close time of the last bar the runner handled; user events after it wait in `held`. */
  private barClose = -Infinity;
  private readonly held: Record<string, unknown>[] = [];
  /** Set while the user data stream is down; resolves when it is back and caught up. */
  private blind: Promise<void> | undefined;
  private unblind: (() => void) | undefined;
  private socket: WebSocket | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private closed = false;
  /** Seen trade ids: a fill is applied once even if the stream repeats it. */
  private readonly seenTrades = new Set<number>();
  /** Exchange time of the newest fill seen: where a recovery after a disconnect starts looking. */
  private lastTradeTime = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Exchange errors by class, for metrics. */
  readonly errorCounts: Record<string, number> = {};
  usedWeight = 0;

  constructor(private readonly options: CcxtBrokerOptions) {
    this.ex = options.exchange;
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Load markets, sync the clock, open the user data stream and read the account (call before trading). */
  async start(): Promise<void> {
    await this.call('loadMarkets', () => this.ex.loadMarkets());
    await this.call('loadTimeDifference', () => this.ex.loadTimeDifference());
    await this.connectUserStream();
    await this.sync();
    // Trades before this run are history, not fills to report (recoverMissedFills looks for newer ones).
    for (const t of await this.call('fetchMyTrades', () => this.ex.fetchMyTrades(this.options.symbol))) {
      this.seenTrades.add(Number((t.info as Record<string, unknown>)['id']));
      this.lastTradeTime = Math.max(this.lastTradeTime, t.timestamp ?? 0);
    }
  }

  /**
   * After the user data stream was down: the fills it missed, from REST (`userTrades`, and the order of each for its
   * client id and type), replayed as the stream would have sent them — held, like live events, until the runner
   * reaches their time. Position and balance come from the REST sync that precedes this.
   */
  private async recoverMissedFills(): Promise<void> {
    const symbol = this.options.symbol;
    const trades = await this.call('fetchMyTrades', () => this.ex.fetchMyTrades(symbol, this.lastTradeTime > 0 ? this.lastTradeTime : undefined));
    let recovered = 0;
    for (const t of trades.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
      const info = t.info as Record<string, string | number | boolean>;
      const id = Number(info['id']);
      if (this.seenTrades.has(id)) continue;
      const order = await this.call('fetchOrder', () => this.ex.fetchOrder(String(info['orderId']), symbol));
      const o = order.info as Record<string, string | number | boolean>;
      const time = Number(info['time']);
      this.onUserMessage({
        e: 'ORDER_TRADE_UPDATE',
        E: time,
        T: time,
        o: { s: o['symbol'], c: o['clientOrderId'], S: info['side'], o: 'MARKET', ot: o['origType'] ?? o['type'], x: 'TRADE', X: o['status'], i: o['orderId'], l: info['qty'], z: o['executedQty'], L: info['price'], ap: o['avgPrice'], n: info['commission'], rp: info['realizedPnl'], t: id, m: info['maker'], R: o['reduceOnly'], cp: o['closePosition'] },
      });
      recovered++;
    }
    if (recovered > 0) this.options.log('fills_recovered', { fills: recovered });
  }

  /** Read balance, position and open orders from REST (start, reconnects, reconciliation). */
  async sync(): Promise<{ quantity: number; openOrders: OrderState[] }> {
    const symbol = this.options.symbol;
    const [balance, positions, regular, algo] = await Promise.all([
      this.call('fetchBalance', () => this.ex.fetchBalance()),
      this.call('fetchPositions', () => this.ex.fetchPositions([symbol])),
      this.call('fetchOpenOrders', () => this.ex.fetchOpenOrders(symbol)),
      this.call('fetchOpenOrders', () => this.ex.fetchOpenOrders(symbol, undefined, undefined, { trigger: true })),
    ]);
    this.state.wallet = Number((balance.info as Record<string, string>)['totalWalletBalance'] ?? balance['USDT']?.total ?? 0);
    const position = positions.find((p) => p.symbol === symbol);
    const info = (position?.info ?? {}) as Record<string, string>;
    this.state.quantity = Number(info['positionAmt'] ?? 0);
    this.state.entryPrice = Number(info['entryPrice'] ?? 0);
    if (info['leverage'] !== undefined) this.state.leverage = Number(info['leverage']);
    if (info['markPrice'] !== undefined && this.markPrice === 0) this.markPrice = Number(info['markPrice']);
    this.open.clear();
    for (const o of [...regular, ...algo]) {
      const state = orderStateFromCcxt(o.info as Record<string, unknown>, o.clientOrderId ?? '', this.options.clock.now());
      this.open.set(state.clientOrderId, state);
    }
    return { quantity: this.state.quantity, openOrders: [...this.open.values()] };
  }

  onEvent(handler: (event: BrokerEvent) => void): void {
    this.handlers.push(handler);
  }

  /**
   * A base candle closed: the mark for equity, then the user-data events stamped up to its close, in arrival order.
   * Holding events until the bar that covers them keeps the engine's timeline in order however far the exchange
   * runs ahead of this process (a simulator at 600×, a backlog after a reconnect): the coordinator and the risk stage
   * see a fill at 10:05 after the 10:04 bar, never before it.
   */
  onBar(bar: BrokerBar): void {
    this.markPrice = bar.markClose ?? bar.close;
    this.barClose = bar.closeTime;
    let applied = 0;
    for (const message of this.held) {
      if (eventTime(message) > bar.closeTime) break;
      applied++;
      this.apply(message);
    }
    if (applied > 0) this.held.splice(0, applied);
  }

  /**
   * While the user data stream is down the process cannot see fills: the runner waits here before handling a bar,
   * until the stream is back and the missed fills are recovered (undefined when connected: no wait).
   */
  whenReady(): Promise<void> | undefined {
    return this.blind;
  }

  onFunding(): void {
    // Settled by the exchange; arrives as ACCOUNT_UPDATE FUNDING_FEE.
  }

  get hasPosition(): boolean {
    return this.state.quantity !== 0;
  }

  async submit(request: OrderRequest): Promise<SubmitResult> {
    const { symbol, instrument } = this.options;
    const conditional = request.type === 'STOP_MARKET' || request.type === 'TAKE_PROFIT_MARKET';
    const side = request.side === 1 ? 'buy' : 'sell';
    const params: Record<string, unknown> = { clientOrderId: request.clientOrderId };
    if (conditional) params[request.type === 'STOP_MARKET' ? 'stopLossPrice' : 'takeProfitPrice'] = instrument.roundPrice(request.triggerPrice!);
    if (request.closePosition) params['closePosition'] = true;
    else if (request.reduceOnly) params['reduceOnly'] = true;
    const type = request.type === 'LIMIT' ? 'limit' : 'market';
    const quantity = request.closePosition ? undefined : request.quantity;
    try {
      const order = await this.call('createOrder', () => this.ex.createOrder(symbol, type, side, quantity as number, request.price, params));
      const state = orderStateFromCcxt(order.info as Record<string, unknown>, request.clientOrderId, this.options.clock.now(), request);
      this.open.set(state.clientOrderId, state);
      return { status: 'ACCEPTED', order: stripAlgo(state) };
    } catch (error) {
      const kind = (error as { xylen?: ExchangeErrorClass }).xylen;
      if (kind?.action === 'reject' && kind.code === -4116) {
        // An earlier attempt of this very request reached the exchange (a retry after a 5xx or a timeout, or a run
        // before a crash): adopt that order, place nothing twice.
        const adopted = await this.lookup(request.clientOrderId, conditional);
        if (adopted) {
          this.options.log('order_adopted', { clientOrderId: request.clientOrderId });
          this.open.set(adopted.clientOrderId, adopted);
          return { status: 'ACCEPTED', order: stripAlgo(adopted) };
        }
      }
      if (kind?.action === 'reject') return { status: 'REJECTED', clientOrderId: request.clientOrderId, reason: kind.reason, detail: `${kind.code ?? ''} ${kind.message}`.trim() };
      return { status: 'REJECTED', clientOrderId: request.clientOrderId, reason: 'EXCHANGE_UNAVAILABLE', detail: (error as Error).message.slice(0, 300) };
    }
  }

  async cancel(clientOrderId: string): Promise<boolean> {
    const order = this.open.get(clientOrderId);
    if (!order) return false;
    try {
      await this.call('cancelOrder', () => this.ex.cancelOrder('', this.options.symbol, { clientOrderId, ...(order.algo ? { trigger: true } : {}) }));
      this.finish(order, 'CANCELED', this.options.clock.now());
      return true;
    } catch (error) {
      if ((error as { xylen?: ExchangeErrorClass }).xylen?.action === 'reject') return false;
      throw error;
    }
  }

  async cancelAll(): Promise<void> {
    const open = [...this.open.values()];
    await this.cancelBooks(open.some((o) => !o.algo), open.some((o) => o.algo));
  }

  /** Cancel every open order on the exchange, whatever this process knows of (emergency stop). */
  async cancelEverything(): Promise<void> {
    await this.cancelBooks(true, true);
  }

  /** Cancel all of the regular and/or the algo orders on the exchange, then finish every order this process holds. */
  private async cancelBooks(regular: boolean, algo: boolean): Promise<void> {
    const symbol = this.options.symbol;
    if (regular) await this.call('cancelAllOrders', () => this.ex.cancelAllOrders(symbol));
    if (algo) await this.call('cancelAllOrders', () => this.ex.cancelAllOrders(symbol, { trigger: true }));
    const now = this.options.clock.now();
    for (const order of [...this.open.values()]) this.finish(order, 'CANCELED', now);
  }

  async setLeverage(leverage: number): Promise<void> {
    if (leverage === this.state.leverage) return;
    await this.call('setLeverage', () => this.ex.setLeverage(leverage, this.options.symbol));
    this.state.leverage = leverage;
  }

  equity(): number {
    return this.state.wallet + this.state.quantity * (this.markPrice - this.state.entryPrice);
  }

  snapshot(into: BrokerSnapshot = emptySnapshot()): BrokerSnapshot {
    const s = this.state;
    into.ts = this.options.clock.now();
    into.wallet = s.wallet;
    into.equity = this.equity();
    into.quantity = s.quantity;
    into.entryPrice = s.entryPrice;
    into.markPrice = this.markPrice;
    into.unrealizedPnl = s.quantity * (this.markPrice - s.entryPrice);
    into.isolatedMargin = 0;
    into.leverage = s.leverage;
    into.liquidationPrice = 0;
    into.realizedPnl = s.realizedPnl;
    into.fees = s.fees;
    into.funding = s.funding;
    into.openOrders = [...this.open.values()].map(stripAlgo);
    return into;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.socket?.terminate();
  }

  /** The account's latest orders on the exchange, newest last (reconciliation looks for the last entry). */
  async recentOrders(limit = 50): Promise<{ clientOrderId: string; side: Side; status: string; quantity: number }[]> {
    const orders = await this.call('fetchOrders', () => this.ex.fetchOrders(this.options.symbol, undefined, limit));
    return orders.map((o) => ({ clientOrderId: o.clientOrderId ?? '', side: o.side === 'buy' ? 1 : -1, status: o.status ?? '', quantity: o.amount ?? 0 }));
  }

  /** Drop the user data socket as a network fault would (tests). */
  dropUserStream(): void {
    this.socket?.terminate();
  }

  private async lookup(clientOrderId: string, algo: boolean): Promise<(OrderState & { algo: boolean }) | undefined> {
    try {
      const o = await this.call('fetchOrder', () => this.ex.fetchOrder('', this.options.symbol, { clientOrderId, ...(algo ? { trigger: true } : {}) }));
      return orderStateFromCcxt(o.info as Record<string, unknown>, clientOrderId, this.options.clock.now());
    } catch {
      return undefined;
    }
  }

  /**
   * One exchange call under the error policy. Rejections are thrown with their class attached (`xylen`), after being
   * logged; retries are bounded by the policy's attempts.
   */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    const { attempts, backoffMs } = this.options.retry;
    const maxWait = this.options.retry.maxWaitMs ?? 30_000;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await run();
        this.readWeight();
        return result;
      } catch (error) {
        this.readWeight();
        const kind = classifyExchangeError(error, this.header('retry-after'));
        this.errorCounts[kind.action] = (this.errorCounts[kind.action] ?? 0) + 1;
        this.options.log('exchange_error', { call: what, attempt, action: kind.action, code: kind.code ?? null, message: kind.message.slice(0, 200) });
        const last = attempt >= attempts || kind.action === 'reject';
        if (last) {
          (error as { xylen?: ExchangeErrorClass }).xylen = kind;
          throw error;
        }
        if (kind.action === 'resync') await this.ex.loadTimeDifference().catch(() => undefined);
        else if (kind.action === 'backoff') await this.sleep(Math.min(maxWait, kind.retryAfterMs ?? backoffMs * 2 ** attempt));
        else await this.sleep(Math.min(maxWait, backoffMs * 2 ** attempt));
      }
    }
  }

  private readWeight(): void {
    const used = this.header('x-mbx-used-weight-1m');
    if (used !== undefined) this.usedWeight = Number(used);
  }

  /** A header of the last response (ccxt re-capitalizes names: X-Mbx-Used-Weight-1m). */
  private header(name: string): string | undefined {
    const headers = (this.ex as unknown as { last_response_headers?: Record<string, string> }).last_response_headers ?? {};
    for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
    return undefined;
  }

  private async connectUserStream(): Promise<void> {
    const { listenKey } = (await this.call('listenKey', () => (this.ex as unknown as { fapiPrivatePostListenKey(): Promise<{ listenKey: string }> }).fapiPrivatePostListenKey()));
    const socket = new WebSocket(`${this.options.wsUrl}/ws/${listenKey}`, { perMessageDeflate: false });
    this.socket = socket;
    socket.on('message', (data) => this.onUserMessage(JSON.parse(String(data)) as Record<string, unknown>));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.closed) return;
      this.options.log('user_stream_disconnected', {});
      this.blind ??= new Promise<void>((resolve) => (this.unblind = resolve));
      const recovered = () => {
        const resolve = this.unblind;
        this.blind = this.unblind = undefined;
        resolve?.();
      };
      // Reconnect, re-read the account, and replay the fills missed while deaf; bars wait until then (whenReady).
      const reconnect = (attempt: number) =>
        setTimeout(() => {
          if (this.closed) return recovered();
          void this.connectUserStream()
            .then(() => this.sync())
            .then(() => this.recoverMissedFills())
            .then(recovered)
            .catch((error: unknown) => {
              this.options.log('user_stream_reconnect_failed', { attempt, message: (error as Error).message.slice(0, 200) });
              reconnect(attempt + 1);
            });
        }, Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)));
      reconnect(0);
    });
    if (!this.keepAlive) {
      this.keepAlive = setInterval(() => {
        void this.call('listenKeyKeepAlive', () => (this.ex as unknown as { fapiPrivatePutListenKey(): Promise<unknown> }).fapiPrivatePutListenKey()).catch(() => undefined);
      }, 30 * 60_000);
      this.keepAlive.unref();
    }
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
  }

  private onUserMessage(message: Record<string, unknown>): void {
    if (message['e'] === 'listenKeyExpired') {
      this.socket?.terminate();
      return;
    }
    // Held back until the runner reaches the event's time (see onBar); in order, so nothing overtakes a held event.
    if (this.held.length > 0 || eventTime(message) > this.barClose) this.held.push(message);
    else this.apply(message);
  }

  private apply(message: Record<string, unknown>): void {
    switch (message['e']) {
      case 'ACCOUNT_UPDATE':
        return this.onAccountUpdate(message);
      case 'ORDER_TRADE_UPDATE':
        return this.onOrderUpdate(message);
      case 'ALGO_UPDATE':
        return this.onAlgoUpdate(message);
      default:
        return;
    }
  }

  private onAccountUpdate(message: Record<string, unknown>): void {
    const a = message['a'] as { m: string; B: { a: string; wb: string; bc: string }[]; P: { s: string; pa: string; ep: string }[] };
    const ts = Number(message['E']);
    const usdt = a.B.find((b) => b.a === 'USDT');
    if (usdt) this.state.wallet = Number(usdt.wb);
    const id = this.options.instrument.symbol;
    const position = a.P.find((p) => p.s === id);
    const held = this.state.quantity;
    if (position) {
      this.state.quantity = Number(position.pa);
      this.state.entryPrice = Number(position.ep);
    }
    if (a.m === 'FUNDING_FEE' && usdt) {
      const payment = Number(usdt.bc);
      this.state.funding += payment;
      const rate = held !== 0 && this.markPrice > 0 ? -payment / (held * this.markPrice) : 0;
      this.emit({ type: 'FundingSettled', ts, rate, markPrice: this.markPrice, payment });
    }
  }

  private onOrderUpdate(message: Record<string, unknown>): void {
    const o = message['o'] as Record<string, string | number | boolean>;
    const ts = Number(message['T'] ?? message['E']);
    const clientOrderId = String(o['c']);
    const execution = String(o['x']);
    if (execution === 'TRADE') {
      const tradeId = Number(o['t']);
      if (this.seenTrades.has(tradeId)) return;
      this.seenTrades.add(tradeId);
      this.lastTradeTime = Math.max(this.lastTradeTime, ts);
      const side: Side = o['S'] === 'BUY' ? 1 : -1;
      const realizedPnl = Number(o['rp']);
      const fee = Number(o['n']);
      this.state.realizedPnl += realizedPnl;
      this.state.fees += fee;
      const liquidation = o['o'] === 'LIQUIDATION';
      const known = this.open.get(clientOrderId);
      const fill: Fill = {
        ts,
        clientOrderId,
        side,
        quantity: Number(o['l']),
        price: Number(o['L']),
        fee,
        liquidity: o['m'] === true ? 'maker' : 'taker',
        reason: liquidation ? 'LIQUIDATION' : fillReason(String(o['ot']), o['R'] === true || o['cp'] === true || known?.closePosition === true),
        realizedPnl,
      };
      const status = String(o['X']) as OrderStatus;
      const order: OrderState = known
        ? { ...stripAlgo(known), status, filledQuantity: Number(o['z']), averagePrice: Number(o['ap']), updatedAt: ts }
        : { clientOrderId, side, type: 'MARKET', quantity: Number(o['q']), reduceOnly: o['R'] === true, status, filledQuantity: Number(o['z']), averagePrice: Number(o['ap']), createdAt: ts, updatedAt: ts };
      if (status === 'FILLED') this.open.delete(clientOrderId);
      else if (known) this.open.set(clientOrderId, { ...order, algo: known.algo });
      if (liquidation) this.emit({ type: 'PositionLiquidated', ts, fill, markPrice: this.markPrice, liquidationPrice: fill.price });
      else this.emit({ type: 'OrderFilled', ts, fill, order });
      return;
    }
    if (execution === 'CANCELED' || execution === 'EXPIRED') {
      const known = this.open.get(clientOrderId);
      if (known) this.finish(known, execution, ts);
    }
  }

  private onAlgoUpdate(message: Record<string, unknown>): void {
    const o = message['o'] as Record<string, string>;
    const status = o['X'];
    const known = this.open.get(String(o['caid']));
    if (!known) return;
    if (status === 'CANCELED' || status === 'EXPIRED' || status === 'REJECTED') this.finish(known, status === 'REJECTED' ? 'REJECTED' : status, Number(message['E'] ?? message['T']));
  }

  private finish(order: OrderState & { algo: boolean }, status: OrderStatus, ts: number): void {
    if (!this.open.delete(order.clientOrderId)) return;
    this.emit({ type: 'OrderUpdated', ts, order: { ...stripAlgo(order), status, updatedAt: ts } });
  }

  private emit(event: BrokerEvent): void {
    for (const handler of this.handlers) handler(event);
  }
}

function eventTime(message: Record<string, unknown>): number {
  const t = Number(message['T'] ?? message['E']);
  return Number.isFinite(t) ? t : -Infinity;
}

function fillReason(originalType: string, protective: boolean): FillReason {
  if (!protective) return 'ORDER';
  return originalType === 'STOP_MARKET' ? 'STOP_LOSS' : originalType === 'TAKE_PROFIT_MARKET' ? 'TAKE_PROFIT' : 'ORDER';
}

function stripAlgo(order: OrderState & { algo?: boolean }): OrderState {
  const { algo: _algo, ...rest } = order;
  return rest;
}

/** An order's state from Binance's regular or algo order object (as ccxt passes it through in `info`). */
function orderStateFromCcxt(info: Record<string, unknown>, clientOrderId: string, now: number, request?: OrderRequest): OrderState & { algo: boolean } {
  const algo = info['algoId'] !== undefined;
  const type = String(algo ? info['orderType'] : info['type']) as OrderState['type'];
  const triggerText = algo ? info['triggerPrice'] : info['stopPrice'];
  const closePosition = info['closePosition'] === true || info['closePosition'] === 'true';
  const status = String(algo ? info['algoStatus'] : info['status']);
  const created = Number(info['createTime'] ?? info['time'] ?? info['updateTime'] ?? now);
  return {
    clientOrderId: String(algo ? info['clientAlgoId'] : info['clientOrderId']) || clientOrderId,
    side: info['side'] === 'BUY' ? 1 : -1,
    type,
    quantity: request ? (request.closePosition ? 0 : request.quantity) : Number(algo ? info['quantity'] : info['origQty']),
    ...(type === 'LIMIT' ? { price: Number(info['price']) } : {}),
    ...(type === 'STOP_MARKET' || type === 'TAKE_PROFIT_MARKET' ? { triggerPrice: Number(triggerText) } : {}),
    reduceOnly: request ? request.reduceOnly : info['reduceOnly'] === true || closePosition,
    closePosition,
    status: (status === 'FINISHED' || status === 'TRIGGERED' ? 'FILLED' : status) as OrderStatus,
    filledQuantity: Number(info['executedQty'] ?? 0),
    averagePrice: Number(info['avgPrice'] ?? 0),
    createdAt: Number.isFinite(created) ? created : now,
    updatedAt: Number(info['updateTime'] ?? created),
    algo,
  };
}
