import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { BTCUSDT_BRACKETS, Instrument, intervalMs, isInterval, MarginBrackets, type FundingSchedule, type InstrumentSpec } from '../../engine/index.ts';
import type { CandleColumns } from '../../data/index.ts';
import { BinanceError, ERR } from './BinanceError.ts';
import { dec, onGrid, parseDecimal } from './decimal.ts';
import { emptyFaults, type Fault, type FaultState } from './Faults.ts';
import { RateLimiter } from './RateLimiter.ts';
import { SimClock, type Pace } from './SimClock.ts';
import { SimMarket } from './SimMarket.ts';
import { SimVenue, type BinanceOrderType, type SimOrder } from './SimVenue.ts';

export interface ExchangeSimOptions {
  symbol: string;
  instrument: InstrumentSpec;
  /** Base candles (e.g. 1m), history and the period to replay. */
  candles: CandleColumns;
  barMs: number;
  funding: FundingSchedule;
  /** Market time the replay starts at: earlier bars are history, later ones close as the clock runs. */
  startAt: number;
  pace: Pace;
  apiKey: string;
  apiSecret: string;
  host?: string;
  port?: number;
  initialBalance?: number;
  takerFee?: number;
  makerFee?: number;
  slippageBps?: number;
  leverage?: number;
  /** REQUEST_WEIGHT per minute [2400]. */
  weightLimit?: number;
  /** One line per notable event (never secrets); default: none. */
  log?: (line: string) => void;
  /** `requests` keeps at least this many of the latest REST requests, and trims to it at twice as many [10,000]. */
  keepRequests?: number;
  /** Called with each REST request as it arrives, before it is handled (tests: kill a client right after an entry is sent). */
  onRequest?: (request: { method: string; path: string; params: Record<string, string> }) => void;
}

export interface ExchangeSim {
  /** `http://127.0.0.1:PORT`: REST base URL (fapi paths under it). */
  url: string;
  /** `ws://127.0.0.1:PORT`: websocket base URL (`/ws/<stream>`, `/stream?streams=`). */
  wsUrl: string;
  market: SimMarket;
  venue: SimVenue;
  clock: SimClock;
  /** Manual pace: close the next bar (publishing its events); false once the data has run out. */
  step(): Promise<boolean>;
  inject(fault: Fault): void;
  /**
   * The REST requests, in arrival order (method, path, and the Binance error code when one was returned): all of
   * them up to twice `keepRequests`, then at least the latest `keepRequests`, so that a simulator left running does
   * not grow without end.
   */
  requests: { method: string; path: string; code?: number; status: number; params: Record<string, string>; at: number }[];
  close(): Promise<void>;
}

const WEIGHTS: Record<string, number> = {
  'GET /fapi/v1/exchangeInfo': 1,
  'GET /fapi/v1/premiumIndex': 1,
  'GET /fapi/v1/fundingRate': 1,
  'GET /fapi/v1/time': 1,
  'GET /fapi/v1/ping': 1,
  'GET /fapi/v1/openOrders': 1,
  'GET /fapi/v1/openAlgoOrders': 1,
  'GET /fapi/v1/allOrders': 5,
  'GET /fapi/v1/allAlgoOrders': 5,
  'GET /fapi/v1/userTrades': 5,
  'GET /fapi/v2/account': 5,
  'GET /fapi/v3/account': 5,
  'GET /fapi/v2/balance': 5,
  'GET /fapi/v3/balance': 5,
  'GET /fapi/v2/positionRisk': 5,
  'GET /fapi/v3/positionRisk': 5,
  'POST /fapi/v1/order': 0,
  'POST /fapi/v1/algoOrder': 0,
};

/**
 * A loopback Binance USDⓈ-M futures exchange for tests and offline rehearsals: the REST API and websocket streams as
 * ccxt's `binanceusdm` (4.5.84) uses them — signed requests (HMAC-SHA256 over query + body), timestamp and
 * recvWindow checks, Binance's error bodies, weight headers and 429s — over stored candles replayed on a clock that
 * runs at `speed` × real time or bar by bar. Matching is the engine's SimulatedBroker (see SimVenue). It binds
 * 127.0.0.1 unless told otherwise, serves one symbol and one account, and never logs the API key or secret.
 */
export async function startExchangeSim(options: ExchangeSimOptions): Promise<ExchangeSim> {
  const log = options.log ?? (() => undefined);
  const instrument = new Instrument(options.instrument);
  const market = new SimMarket(options.symbol, options.candles, options.barMs, options.funding, options.startAt);
  const clock = new SimClock(options.pace, market.lastClose);
  const venue = new SimVenue({
    symbol: options.symbol,
    instrument,
    clock,
    initialBalance: options.initialBalance ?? 10_000,
    takerFee: options.takerFee ?? 0.0005,
    makerFee: options.makerFee ?? 0.0002,
    slippageBps: options.slippageBps ?? 2,
    brackets: new MarginBrackets(BTCUSDT_BRACKETS),
    leverage: options.leverage ?? 20,
  });
  const limiter = new RateLimiter(options.weightLimit ?? 2400);
  let faults: FaultState = emptyFaults();
  const requests: ExchangeSim['requests'] = [];
  const keepRequests = options.keepRequests ?? 10_000;
  const listenKey = { key: '', expires: 0 };
  const lower = options.symbol.toLowerCase();

  // The broker needs a last price before the first order: it sees the last history bar (no orders yet, no effect).
  if (market.closedCount > 0) venue.broker.onBar(market.bar(market.closedCount - 1));

  // ---- websockets -------------------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  interface Subscriber {
    socket: WebSocket;
    streams: Set<string>;
    combined: boolean;
  }
  const subscribers = new Set<Subscriber>();
  const send = (sub: Subscriber, stream: string, data: unknown): Promise<void> =>
    new Promise((resolve) => {
      if (sub.socket.readyState !== sub.socket.OPEN) return resolve();
      sub.socket.send(JSON.stringify(sub.combined ? { stream, data } : data), () => resolve());
    });
  const publish = async (stream: string, data: unknown): Promise<void> => {
    const sends: Promise<void>[] = [];
    for (const sub of subscribers) if (sub.streams.has(stream)) sends.push(send(sub, stream, data));
    await Promise.all(sends);
  };
  let pendingUserSends: Promise<void>[] = [];
  venue.onUserEvent((event) => {
    if (listenKey.key === '') return;
    for (const sub of subscribers) if (sub.streams.has(listenKey.key)) pendingUserSends.push(send(sub, listenKey.key, event));
  });

  const tick = async (): Promise<boolean> => {
    const stepped = market.step();
    if (!stepped) {
      log(`exchange-sim: the stored candles have run out at ${new Date(market.lastClose).toISOString()}`);
      return false;
    }
    const { bar, funding } = stepped;
    clock.set(bar.closeTime);
    venue.onBar(bar, funding);
    // User events of the bar reach the client's socket before the kline that closes it (see the README).
    const userSends = pendingUserSends;
    pendingUserSends = [];
    await Promise.all(userSends);
    if (faults.muteBars > 0) {
      faults.muteBars--;
      return true;
    }
    const k = market.kline(stepped.index);
    const event = {
      e: 'kline',
      E: bar.closeTime,
      s: options.symbol,
      k: { t: k[0], T: k[6], s: options.symbol, i: intervalName(market.barMs), f: 0, L: 0, o: k[1], c: k[4], h: k[2], l: k[3], v: k[5], n: k[8], x: true, q: k[7], V: k[9], Q: k[10], B: '0' },
    };
    const fundingState = market.fundingState();
    const mark = { e: 'markPriceUpdate', E: bar.closeTime, s: options.symbol, p: dec(bar.close), i: dec(bar.close), P: dec(bar.close), r: dec(fundingState.lastRate), T: fundingState.nextTime };
    await Promise.all([publish(`${lower}@kline_${intervalName(market.barMs)}`, event), publish(`${lower}@markPrice`, mark), publish(`${lower}@markPrice@1s`, mark)]);
    return true;
  };

  // ---- REST -------------------------------------------------------------------------------------------------
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const serverTime = () => Date.now() + faults.skewMs;

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const rawUrl = request.raw.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q + 1);
    const body = typeof request.body === 'string' ? request.body : '';
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    for (const [k, v] of new URLSearchParams(query)) params[k] = v; // the query string wins, as on Binance
    const method = request.method;
    const key = `${method} ${path}`;
    const entry: ExchangeSim['requests'][number] = { method, path, status: 200, params: redact(params), at: Date.now() };
    requests.push(entry);
    if (requests.length > 2 * keepRequests) requests.splice(0, requests.length - keepRequests);
    options.onRequest?.({ method, path, params: entry.params });
    const headers: Record<string, string> = {};
    const fail = (error: BinanceError) => {
      entry.status = error.status;
      entry.code = error.code;
      void reply
        .code(error.status)
        .headers({ ...headers, ...error.headers })
        .send({ code: error.code, msg: error.msg });
    };
    try {
      if (path.startsWith('/_sim/')) return void reply.send(await admin(method, path, body));
      if (faults.burst429 && faults.burst429.count > 0 && path.startsWith(faults.burst429.path)) {
        faults.burst429.count--;
        throw ERR.tooManyRequests(limiter.limit, faults.burst429.retryAfterS);
      }
      const taken = limiter.take(WEIGHTS[key] ?? 1, Date.now());
      headers['X-MBX-USED-WEIGHT-1M'] = String(taken.used);
      if (!taken.ok) throw ERR.tooManyRequests(limiter.limit, taken.retryAfterS);
      const route = ROUTES[key];
      if (!route) {
        log(`exchange-sim: no route for ${key}`);
        entry.status = 404;
        return void reply.code(404).headers(headers).send({ code: -5000, msg: `Path ${path}, Method ${method} is invalid` });
      }
      let crash: { status: number; afterExecute: boolean } | undefined;
      if (faults.burst5xx && faults.burst5xx.count > 0 && path.startsWith(faults.burst5xx.path)) {
        faults.burst5xx.count--;
        crash = { status: faults.burst5xx.status, afterExecute: faults.burst5xx.afterExecute };
        if (!crash.afterExecute) throw ERR.disconnected(crash.status);
      }
      if (route.auth !== 'none') checkApiKey(request.headers['x-mbx-apikey']);
      if (route.auth === 'signed') checkSignature(query, body, params);
      const result = await route.run(params);
      if (crash) throw ERR.disconnected(crash.status);
      if (key === 'POST /fapi/v1/order' || key === 'POST /fapi/v1/algoOrder') {
        headers['X-MBX-ORDER-COUNT-10S'] = '1';
        headers['X-MBX-ORDER-COUNT-1M'] = '1';
      }
      void reply.headers(headers).send(result);
    } catch (error) {
      if (error instanceof BinanceError) return fail(error);
      log(`exchange-sim: internal error on ${key}: ${(error as Error).message}`);
      return fail(new BinanceError(500, -1000, 'An unknown error occurred while processing the request.'));
    }
  };

  const checkApiKey = (header: string | string[] | undefined) => {
    const given = Buffer.from(typeof header === 'string' ? header : '');
    const expected = Buffer.from(options.apiKey);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw ERR.badApiKey();
  };

  const checkSignature = (query: string, body: string, params: Record<string, string>) => {
    const total = query + body;
    const match = /(?:^|&)signature=([0-9a-fA-F]+)$/.exec(total);
    if (!match) throw ERR.mandatory('signature');
    const payload = total.slice(0, match.index);
    const expected = createHmac('sha256', options.apiSecret).update(payload).digest('hex');
    const given = match[1]!.toLowerCase();
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) throw ERR.badSignature();
    const timestamp = integer(params, 'timestamp', true)!;
    const recvWindow = integer(params, 'recvWindow', false) ?? 5000;
    if (recvWindow > 60_000) throw ERR.illegalParam('recvWindow');
    const now = serverTime();
    if (timestamp >= now + 1000) throw ERR.timestampAhead();
    if (now - timestamp > recvWindow) throw ERR.timestampOutside();
  };

  const symbolOf = (params: Record<string, string>, required: boolean) => {
    const s = params['symbol'];
    if (s === undefined) {
      if (required) throw ERR.mandatory('symbol');
      return undefined;
    }
    if (s !== options.symbol) throw ERR.badSymbol();
    return s;
  };

  const newOrder = async (params: Record<string, string>, algo: boolean): Promise<SimOrder> => {
    symbolOf(params, true);
    const side = params['side'];
    if (side !== 'BUY' && side !== 'SELL') throw side === undefined ? ERR.mandatory('side') : ERR.badSide();
    const type = (algo ? (params['type'] ?? params['orderType']) : params['type']) as BinanceOrderType | undefined;
    if (type === undefined) throw ERR.mandatory('type');
    if (!['MARKET', 'LIMIT', 'STOP_MARKET', 'TAKE_PROFIT_MARKET'].includes(type)) throw ERR.badOrderType();
    if (algo && params['algoType'] !== 'CONDITIONAL') throw ERR.mandatory('algoType');
    const positionSide = params['positionSide'];
    if (positionSide !== undefined && positionSide !== 'BOTH') throw ERR.positionSide();
    const quantity = decimal(params, 'quantity');
    const price = decimal(params, 'price');
    const stopPrice = decimal(params, algo ? 'triggerPrice' : 'stopPrice');
    if (quantity !== undefined && !(quantity > 0)) throw ERR.qtyBelowMin();
    if (quantity !== undefined && !onGrid(quantity, instrument.step)) throw ERR.badPrecision();
    for (const p of [price, stopPrice]) if (p !== undefined && !onGrid(p, instrument.tick)) throw ERR.tickSize();
    const clientId = (algo ? params['clientAlgoId'] : params['newClientOrderId']) ?? `sim-${randomBytes(8).toString('hex')}`;
    if (!/^[.A-Z:/a-z0-9_-]{1,36}$/.test(clientId)) throw ERR.illegalParam(algo ? 'clientAlgoId' : 'newClientOrderId');
    if (faults.rejectOrder) {
      const r = faults.rejectOrder;
      faults.rejectOrder = undefined;
      throw new BinanceError(400, r.code, r.msg);
    }
    const order = await venue.submit({
      side,
      type,
      ...(quantity === undefined ? {} : { quantity }),
      ...(price === undefined ? {} : { price }),
      ...(stopPrice === undefined ? {} : { stopPrice }),
      reduceOnly: params['reduceOnly'] === 'true',
      closePosition: params['closePosition'] === 'true',
      clientId,
      timeInForce: params['timeInForce'] ?? 'GTC',
      workingType: params['workingType'] ?? 'CONTRACT_PRICE',
      algo,
    });
    log(`exchange-sim: ${algo ? 'algo ' : ''}order ${clientId} ${side} ${type} accepted`);
    return order;
  };

  const lookup = (params: Record<string, string>, algo: boolean): SimOrder => {
    symbolOf(params, !algo);
    const orderId = integer(params, algo ? 'algoId' : 'orderId', false);
    const clientId = algo ? params['clientAlgoId'] : params['origClientOrderId'];
    if (orderId === undefined && clientId === undefined) throw ERR.mandatory(algo ? 'algoId' : 'orderId');
    const order = venue.find({ ...(orderId === undefined ? {} : { orderId }), ...(clientId === undefined ? {} : { clientId }), algo });
    if (!order) throw ERR.noSuchOrder();
    return order;
  };

  /** DELETE allOpenOrders and algoOpenOrders: Binance answers both with the same body. */
  const cancelAll = async (params: Record<string, string>, algo: boolean) => {
    symbolOf(params, true);
    await venue.cancelAll(algo);
    return { code: 200, msg: 'The operation of cancel all open order is done.' };
  };

  const accountJson = (version: 2 | 3) => {
    const a = venue.account();
    const asset = {
      asset: 'USDT',
      walletBalance: dec(a.wallet),
      unrealizedProfit: dec(a.unrealized),
      marginBalance: dec(a.equity),
      maintMargin: '0',
      initialMargin: dec(a.isolatedMargin + a.openOrderMargin),
      positionInitialMargin: dec(a.isolatedMargin),
      openOrderInitialMargin: dec(a.openOrderMargin),
      crossWalletBalance: dec(a.wallet - a.isolatedMargin),
      crossUnPnl: '0',
      availableBalance: dec(a.available),
      maxWithdrawAmount: dec(a.available),
      marginAvailable: true,
      updateTime: market.lastClose,
    };
    const position = {
      symbol: options.symbol,
      positionSide: 'BOTH',
      positionAmt: dec(a.quantity),
      unrealizedProfit: dec(a.unrealized),
      isolatedMargin: dec(a.isolatedMargin),
      notional: dec(a.quantity * a.markPrice),
      isolatedWallet: dec(a.isolatedMargin),
      initialMargin: dec(a.isolatedMargin),
      maintMargin: '0',
      updateTime: market.lastClose,
      ...(version === 2 ? { leverage: String(a.leverage), isolated: venue.marginType === 'ISOLATED', entryPrice: dec(a.entryPrice), maxNotional: '0', bidNotional: '0', askNotional: '0', positionInitialMargin: dec(a.isolatedMargin), openOrderInitialMargin: '0' } : {}),
    };
    return {
      ...(version === 2 ? { feeTier: 0, feeBurn: false, canTrade: true, canDeposit: true, canWithdraw: true, updateTime: 0, multiAssetsMargin: false, tradeGroupId: -1 } : {}),
      totalInitialMargin: asset.initialMargin,
      totalMaintMargin: '0',
      totalWalletBalance: asset.walletBalance,
      totalUnrealizedProfit: asset.unrealizedProfit,
      totalMarginBalance: asset.marginBalance,
      totalPositionInitialMargin: asset.positionInitialMargin,
      totalOpenOrderInitialMargin: asset.openOrderInitialMargin,
      totalCrossWalletBalance: asset.crossWalletBalance,
      totalCrossUnPnl: '0',
      availableBalance: asset.availableBalance,
      maxWithdrawAmount: asset.maxWithdrawAmount,
      assets: [asset],
      positions: [position],
    };
  };

  const positionRiskJson = (version: 2 | 3) => {
    const a = venue.account();
    return [
      {
        symbol: options.symbol,
        positionAmt: dec(a.quantity),
        entryPrice: dec(a.entryPrice),
        breakEvenPrice: dec(a.entryPrice),
        markPrice: dec(a.markPrice),
        unRealizedProfit: dec(a.unrealized),
        liquidationPrice: dec(a.liquidationPrice),
        isolatedMargin: dec(a.isolatedMargin),
        notional: dec(a.quantity * a.markPrice),
        isolatedWallet: dec(a.isolatedMargin),
        positionSide: 'BOTH',
        updateTime: market.lastClose,
        ...(version === 2
          ? { leverage: String(a.leverage), maxNotionalValue: '0', marginType: venue.marginType === 'ISOLATED' ? 'isolated' : 'cross', isAutoAddMargin: 'false' }
          : { marginAsset: 'USDT', initialMargin: dec(a.isolatedMargin), maintMargin: '0', positionInitialMargin: dec(a.isolatedMargin), openOrderInitialMargin: '0', adl: 0, bidNotional: '0', askNotional: '0' }),
      },
    ];
  };

  const ROUTES: Record<string, { auth: 'none' | 'key' | 'signed'; run: (p: Record<string, string>) => unknown }> = {
    'GET /fapi/v1/ping': { auth: 'none', run: () => ({}) },
    'GET /fapi/v1/time': { auth: 'none', run: () => ({ serverTime: serverTime() }) },
    'GET /fapi/v1/exchangeInfo': { auth: 'none', run: () => exchangeInfo(options.symbol, options.instrument, serverTime()) },
    'GET /fapi/v1/klines': { auth: 'none', run: (p) => klines(p) },
    'GET /fapi/v1/markPriceKlines': { auth: 'none', run: (p) => klines(p) },
    'GET /fapi/v1/premiumIndex': {
      auth: 'none',
      run: (p) => {
        const f = market.fundingState();
        const one = { symbol: options.symbol, markPrice: dec(market.lastPrice), indexPrice: dec(market.lastPrice), estimatedSettlePrice: dec(market.lastPrice), lastFundingRate: dec(f.lastRate), interestRate: '0.00010000', nextFundingTime: f.nextTime, time: market.lastClose };
        return symbolOf(p, false) === undefined ? [one] : one;
      },
    },
    'GET /fapi/v1/fundingRate': {
      auth: 'none',
      run: (p) => {
        symbolOf(p, false);
        const limit = Math.min(1000, integer(p, 'limit', false) ?? 100);
        const start = integer(p, 'startTime', false);
        const end = integer(p, 'endTime', false) ?? market.lastClose;
        const rows = [];
        const f = market.funding;
        for (let i = 0; i < f.length; i++) {
          const t = f.fundingTime[i]!;
          if (t > market.lastClose || t > end || (start !== undefined && t < start)) continue;
          rows.push({ symbol: options.symbol, fundingTime: t, fundingRate: dec(f.rate[i]!), markPrice: '' });
        }
        return start === undefined ? rows.slice(-limit) : rows.slice(0, limit);
      },
    },
    'POST /fapi/v1/order': { auth: 'signed', run: async (p) => venue.orderJson(await newOrder(p, false)) },
    'GET /fapi/v1/order': { auth: 'signed', run: (p) => venue.orderJson(lookup(p, false)) },
    'DELETE /fapi/v1/order': {
      auth: 'signed',
      run: async (p) => {
        const order = lookup(p, false);
        if (order.algo || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED')) throw ERR.unknownOrder();
        return venue.orderJson(await venue.cancel(order));
      },
    },
    'POST /fapi/v1/algoOrder': { auth: 'signed', run: async (p) => venue.algoJson(await newOrder(p, true)) },
    'GET /fapi/v1/algoOrder': { auth: 'signed', run: (p) => venue.algoJson(lookup(p, true)) },
    'DELETE /fapi/v1/algoOrder': {
      auth: 'signed',
      run: async (p) => {
        const order = lookup(p, true);
        if (order.status !== 'NEW') throw ERR.unknownOrder();
        await venue.cancel(order);
        return { algoId: order.id, clientAlgoId: order.clientId, code: '200', msg: 'success' };
      },
    },
    'GET /fapi/v1/openOrders': { auth: 'signed', run: (p) => (symbolOf(p, false), venue.openOrders(false).map((o) => venue.orderJson(o))) },
    'GET /fapi/v1/openAlgoOrders': { auth: 'signed', run: (p) => (symbolOf(p, false), venue.openOrders(true).map((o) => venue.algoJson(o))) },
    'GET /fapi/v1/allOrders': { auth: 'signed', run: (p) => (symbolOf(p, true), venue.allOrders(false).map((o) => venue.orderJson(o))) },
    'GET /fapi/v1/allAlgoOrders': { auth: 'signed', run: (p) => (symbolOf(p, true), venue.allOrders(true).map((o) => venue.algoJson(o))) },
    'DELETE /fapi/v1/allOpenOrders': { auth: 'signed', run: (p) => cancelAll(p, false) },
    'DELETE /fapi/v1/algoOpenOrders': { auth: 'signed', run: (p) => cancelAll(p, true) },
    'GET /fapi/v1/userTrades': {
      auth: 'signed',
      run: (p) => {
        symbolOf(p, true);
        const start = integer(p, 'startTime', false);
        const end = integer(p, 'endTime', false);
        const fromId = integer(p, 'fromId', false);
        const limit = Math.min(1000, integer(p, 'limit', false) ?? 500);
        const rows = venue.trades.filter((t) => (start === undefined || t.time >= start) && (end === undefined || t.time <= end) && (fromId === undefined || t.id >= fromId));
        return (start === undefined && fromId === undefined ? rows.slice(-limit) : rows.slice(0, limit)).map((t) => ({
          symbol: options.symbol,
          id: t.id,
          orderId: t.orderId,
          side: t.side,
          price: dec(t.price),
          qty: dec(t.qty),
          realizedPnl: dec(t.realizedPnl),
          quoteQty: dec(t.price * t.qty),
          commission: dec(t.commission),
          commissionAsset: 'USDT',
          time: t.time,
          positionSide: 'BOTH',
          buyer: t.side === 'BUY',
          maker: t.maker,
        }));
      },
    },
    'GET /fapi/v2/account': { auth: 'signed', run: () => accountJson(2) },
    'GET /fapi/v3/account': { auth: 'signed', run: () => accountJson(3) },
    'GET /fapi/v2/balance': { auth: 'signed', run: () => balanceJson() },
    'GET /fapi/v3/balance': { auth: 'signed', run: () => balanceJson() },
    'GET /fapi/v2/positionRisk': { auth: 'signed', run: (p) => (symbolOf(p, false), positionRiskJson(2)) },
    'GET /fapi/v3/positionRisk': { auth: 'signed', run: (p) => (symbolOf(p, false), positionRiskJson(3)) },
    'POST /fapi/v1/leverage': {
      auth: 'signed',
      run: async (p) => {
        symbolOf(p, true);
        const leverage = integer(p, 'leverage', true)!;
        await venue.setLeverage(leverage);
        const tiers = venue.brackets.tiers;
        const last = tiers.findLastIndex((t) => t.maxLeverage >= leverage);
        return { leverage, maxNotionalValue: String(tiers[last + 1]?.floor ?? 9.99e11), symbol: options.symbol };
      },
    },
    'POST /fapi/v1/marginType': {
      auth: 'signed',
      run: (p) => {
        symbolOf(p, true);
        const type = p['marginType'];
        if (type !== 'ISOLATED' && type !== 'CROSSED') throw ERR.illegalParam('marginType');
        if (type === venue.marginType) throw ERR.noNeedMarginType();
        if (type === 'CROSSED') throw new BinanceError(400, -4048, 'Margin type cannot be changed if there exists position.'); // the simulator models isolated margin only
        venue.marginType = type;
        return { code: 200, msg: 'success' };
      },
    },
    'GET /fapi/v1/leverageBracket': {
      auth: 'signed',
      run: (p) => {
        symbolOf(p, false);
        const tiers = venue.brackets.tiers;
        return [
          {
            symbol: options.symbol,
            brackets: tiers.map((t, i) => ({ bracket: i + 1, initialLeverage: t.maxLeverage, notionalCap: tiers[i + 1]?.floor ?? 9.99e11, notionalFloor: t.floor, maintMarginRatio: t.rate, cum: t.cum })),
          },
        ];
      },
    },
    'GET /fapi/v1/positionSide/dual': { auth: 'signed', run: () => ({ dualSidePosition: false }) },
    'POST /fapi/v1/positionSide/dual': {
      auth: 'signed',
      run: (p) => {
        if (p['dualSidePosition'] === 'true') throw new BinanceError(400, -4059, 'No need to change position side.');
        return { code: 200, msg: 'success' };
      },
    },
    'GET /fapi/v1/multiAssetsMargin': { auth: 'signed', run: () => ({ multiAssetsMargin: false }) },
    'POST /fapi/v1/listenKey': {
      auth: 'key',
      run: () => {
        if (listenKey.key === '' || Date.now() > listenKey.expires) listenKey.key = randomBytes(32).toString('hex');
        listenKey.expires = Date.now() + 3_600_000;
        return { listenKey: listenKey.key };
      },
    },
    'PUT /fapi/v1/listenKey': {
      auth: 'key',
      run: () => {
        if (listenKey.key === '') throw new BinanceError(400, -1125, 'This listenKey does not exist.');
        listenKey.expires = Date.now() + 3_600_000;
        return { listenKey: listenKey.key };
      },
    },
    'DELETE /fapi/v1/listenKey': {
      auth: 'key',
      run: () => {
        for (const sub of subscribers) if (sub.streams.has(listenKey.key)) sub.socket.close();
        listenKey.key = '';
        return {};
      },
    },
  };

  const balanceJson = () => {
    const a = venue.account();
    return [
      {
        accountAlias: 'SgsR',
        asset: 'USDT',
        balance: dec(a.wallet),
        crossWalletBalance: dec(a.wallet - a.isolatedMargin),
        crossUnPnl: '0',
        availableBalance: dec(a.available),
        maxWithdrawAmount: dec(a.available),
        marginAvailable: true,
        updateTime: market.lastClose,
      },
    ];
  };

  const klines = (p: Record<string, string>) => {
    symbolOf(p, true);
    const interval = p['interval'];
    if (interval === undefined) throw ERR.mandatory('interval');
    if (!isInterval(interval)) throw ERR.badInterval();
    const limit = integer(p, 'limit', false) ?? 500;
    if (limit < 1 || limit > 1500) throw ERR.illegalParam('limit');
    const startTime = integer(p, 'startTime', false);
    const endTime = integer(p, 'endTime', false);
    return market.klines(intervalMs(interval), { limit, ...(startTime === undefined ? {} : { startTime }), ...(endTime === undefined ? {} : { endTime }) });
  };

  const admin = async (method: string, path: string, body: string): Promise<unknown> => {
    if (path === '/_sim/status') return status();
    if (method === 'POST' && path === '/_sim/step') return { stepped: await tick(), ...status() };
    if (method === 'POST' && path === '/_sim/fault') {
      let fault: Fault;
      try {
        fault = JSON.parse(body) as Fault;
      } catch {
        throw ERR.illegalParam('fault');
      }
      inject(fault);
      return { ok: true, ...status() };
    }
    throw new BinanceError(404, -5000, `Path ${path}, Method ${method} is invalid`);
  };

  const status = () => {
    const account = venue.account();
    return {
      symbol: options.symbol,
      pace: options.pace,
      marketTime: market.lastClose,
      barsClosed: market.closedCount,
      barsTotal: market.candles.length,
      ended: market.ended,
      position: account.quantity,
      wallet: account.wallet,
      openOrders: venue.openOrders(false).length,
      openAlgoOrders: venue.openOrders(true).length,
      trades: venue.trades.length,
      subscribers: subscribers.size,
    };
  };

  const inject = (fault: Fault) => {
    log(`exchange-sim: fault ${fault.kind}`);
    switch (fault.kind) {
      case 'skew':
        faults.skewMs = fault.ms;
        return;
      case '429':
        faults.burst429 = { count: fault.count, retryAfterS: fault.retryAfterS ?? 1, path: fault.path ?? '/fapi/' };
        return;
      case '5xx':
        faults.burst5xx = { count: fault.count, status: fault.status ?? 503, path: fault.path ?? '/fapi/', afterExecute: fault.afterExecute ?? false };
        return;
      case 'reject-order':
        faults.rejectOrder = { code: fault.code ?? -2019, msg: fault.msg ?? 'Margin is insufficient.' };
        return;
      case 'drop-ws':
        for (const sub of subscribers) {
          const user = listenKey.key !== '' && sub.streams.has(listenKey.key);
          const target = fault.target ?? 'all';
          if (target === 'all' || (target === 'user') === user) sub.socket.terminate();
        }
        return;
      case 'mute-ws':
        faults.muteBars = fault.bars;
        return;
      case 'clear':
        faults = emptyFaults();
        return;
      default:
        throw ERR.illegalParam('kind');
    }
  };

  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: '/*', handler: handle });

  app.server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let streams: string[];
    let combined = false;
    if (url.pathname === '/stream') {
      streams = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
      combined = true;
    } else if (url.pathname.startsWith('/ws')) {
      streams = url.pathname.slice(3).split('/').filter(Boolean);
    } else {
      socket.destroy();
      return;
    }
    const valid = (s: string) => s === listenKey.key || s.startsWith(`${lower}@`);
    if (!streams.every(valid)) {
      socket.write('HTTP/1.1 400 Bad Request\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const sub: Subscriber = { socket: ws, streams: new Set(streams), combined };
      subscribers.add(sub);
      ws.on('close', () => subscribers.delete(sub));
      ws.on('error', () => subscribers.delete(sub));
      // Live subscription management, as Binance's streams accept it.
      ws.on('message', (data) => {
        let message: { method?: string; params?: string[]; id?: number };
        try {
          message = JSON.parse(String(data)) as typeof message;
        } catch {
          return;
        }
        if (message.method === 'SUBSCRIBE') for (const s of message.params ?? []) sub.streams.add(s);
        else if (message.method === 'UNSUBSCRIBE') for (const s of message.params ?? []) sub.streams.delete(s);
        const result = message.method === 'LIST_SUBSCRIPTIONS' ? [...sub.streams] : null;
        ws.send(JSON.stringify({ result, id: message.id ?? null }));
      });
    });
  });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  clock.start(market.barMs, tick);

  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    market,
    venue,
    clock,
    step: tick,
    inject,
    requests,
    close: async () => {
      clock.stop();
      for (const sub of subscribers) sub.socket.terminate();
      wss.close();
      await app.close();
    },
  };
}

function intervalName(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 60_000}m`;
}

function integer(params: Record<string, string>, name: string, required: boolean): number | undefined {
  const text = params[name];
  if (text === undefined || text === '') {
    if (required) throw ERR.mandatory(name);
    return undefined;
  }
  if (!/^-?\d{1,20}$/.test(text)) throw ERR.illegalParam(name);
  return Number(text);
}

function decimal(params: Record<string, string>, name: string): number | undefined {
  const value = parseDecimal(params[name]);
  if (value !== undefined && Number.isNaN(value)) throw ERR.illegalParam(name);
  return value;
}

/** Request parameters as logged: the signature is dropped (it proves nothing to a reader and is key material). */
function redact(params: Record<string, string>): Record<string, string> {
  const { signature: _signature, ...rest } = params;
  return rest;
}

/** exchangeInfo with the one simulated perpetual, its filters as Binance lists them. */
function exchangeInfo(symbol: string, spec: InstrumentSpec, now: number): unknown {
  const base = symbol.replace(/USDT$/, '');
  const decimals = (text: string) => (text.includes('.') ? text.length - text.indexOf('.') - 1 : 0);
  return {
    timezone: 'UTC',
    serverTime: now,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [
      { asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' },
      { asset: base, marginAvailable: true, autoAssetExchange: '0' },
    ],
    symbols: [
      {
        symbol,
        pair: symbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        maintMarginPercent: '2.5000',
        requiredMarginPercent: '5.0000',
        baseAsset: base,
        quoteAsset: 'USDT',
        marginAsset: 'USDT',
        pricePrecision: decimals(spec.tickSize),
        quantityPrecision: decimals(spec.stepSize),
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        underlyingSubType: ['PoW'],
        settlePlan: 0,
        triggerProtect: '0.0500',
        liquidationFee: '0.012500',
        marketTakeBound: '0.05',
        maxMoveOrderLimit: 10000,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: spec.tickSize, maxPrice: '4529764', tickSize: spec.tickSize },
          { filterType: 'LOT_SIZE', stepSize: spec.stepSize, maxQty: spec.maxQty, minQty: spec.minQty },
          { filterType: 'MARKET_LOT_SIZE', stepSize: spec.stepSize, maxQty: spec.maxQty, minQty: spec.minQty },
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
          { filterType: 'MIN_NOTIONAL', notional: spec.minNotional },
          { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
        ],
        orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
      },
    ],
  };
}
