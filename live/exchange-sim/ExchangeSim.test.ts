import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BTCUSDT_BRACKETS, BTCUSDT_PERP, Instrument, MarginBrackets, ReplayClock, SimulatedBroker } from '../../engine/index.ts';
import { realMinuteCandles, SIM_KEY, SIM_SECRET, startTestSim } from '../test/simFixture.ts';
import type { ExchangeSim } from './index.ts';

const SYMBOL = 'BTC/USDT:USDT';
let sim: ExchangeSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function client(s: ExchangeSim, secret = SIM_SECRET) {
  const ex = new ccxt.binanceusdm({ apiKey: SIM_KEY, secret, enableRateLimit: false, options: { fetchCurrencies: false, fetchMargins: false } });
  const api = ex.urls['api'] as Record<string, string>;
  for (const k of Object.keys(api)) if (typeof api[k] === 'string') api[k] = api[k]!.replace(/^https?:\/\/[^/]+/, s.url);
  return ex;
}

async function signedGet(s: ExchangeSim, path: string, params: Record<string, string>, secret = SIM_SECRET) {
  const query = new URLSearchParams(params).toString();
  const signature = createHmac('sha256', secret).update(query).digest('hex');
  const response = await fetch(`${s.url}${path}?${query}&signature=${signature}`, { headers: { 'X-MBX-APIKEY': SIM_KEY } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { code?: number; msg?: string } };
}

/** Collect JSON messages of a websocket until `until` says stop. */
function collect(url: string): { messages: Record<string, unknown>[]; opened: Promise<void>; socket: WebSocket } {
  const socket = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  return { messages, socket, opened: new Promise((resolve) => socket.once('open', () => resolve())) };
}

describe('exchange simulator request log', () => {
  it('keeps every request up to twice its bound, then trims to the latest ones, in order', async () => {
    sim = await startTestSim(50, 10, { keepRequests: 5 });
    const ping = async (i: number) => expect((await fetch(`${sim!.url}/fapi/v1/ping?i=${i}`)).status).toBe(200);
    for (let i = 0; i < 10; i++) await ping(i);
    expect(sim.requests.map((r) => r.params['i'])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await ping(10);
    expect(sim.requests.map((r) => r.params['i'])).toEqual(['6', '7', '8', '9', '10']);
    for (let i = 11; i < 16; i++) await ping(i);
    expect(sim.requests.map((r) => r.params['i'])).toEqual(['6', '7', '8', '9', '10', '11', '12', '13', '14', '15']);
  });
});

describe('exchange simulator through ccxt binanceusdm 4.5.84', () => {
  it('serves markets, klines that never run ahead of its clock, and fills a market order at the next bar open as the SimulatedBroker does', async () => {
    sim = await startTestSim(400, 100);
    const ex = client(sim);
    const markets = await ex.loadMarkets();
    expect(markets[SYMBOL]!.precision).toMatchObject({ price: 0.1, amount: 0.001 });
    const last = await ex.fetchOHLCV(SYMBOL, '1m', undefined, 5);
    expect(last.at(-1)![0]).toBe(sim.market.lastClose - 60_000);
    const fiveMinute = await ex.fetchOHLCV(SYMBOL, '5m', undefined, 3);
    expect(fiveMinute.every((k) => (k[0]! + 300_000) <= sim!.market.lastClose)).toBe(true);

    await ex.setLeverage(3, SYMBOL);
    const placed = await ex.createOrder(SYMBOL, 'market', 'buy', 0.02, undefined, { clientOrderId: 'xy-1-E' });
    expect(placed.status).toBe('open');
    await expect(ex.createOrder(SYMBOL, 'market', 'buy', 0.02, undefined, { clientOrderId: 'xy-1-E' })).rejects.toThrow(/-4116/);
    await sim.step();
    const filled = await ex.fetchOrder('', SYMBOL, { clientOrderId: 'xy-1-E' });
    expect(filled.status).toBe('closed');

    // The same order in a bare SimulatedBroker over the same bars gives the same price: one fill implementation.
    const candles = realMinuteCandles(400);
    const first = 300;
    const clock = new ReplayClock(candles.openTime[first - 1]!);
    const broker = new SimulatedBroker({ instrument: new Instrument(BTCUSDT_PERP), brackets: new MarginBrackets(BTCUSDT_BRACKETS), clock, initialBalance: 10_000, leverage: 3 });
    const bar = (i: number) => ({ openTime: candles.openTime[i]!, closeTime: candles.openTime[i]! + 60_000, open: candles.open[i]!, high: candles.high[i]!, low: candles.low[i]!, close: candles.close[i]!, volume: candles.volume[i]! });
    broker.onBar(bar(first - 1));
    await broker.submit({ clientOrderId: 'x', side: 1, type: 'MARKET', quantity: 0.02, reduceOnly: false });
    broker.onBar(bar(first));
    expect(filled.average).toBe(broker.snapshot().entryPrice);
    const [position] = await ex.fetchPositions([SYMBOL]);
    expect(position!.contracts).toBe(0.02);
    expect(Number((position!.info as Record<string, string>)['entryPrice'])).toBe(broker.snapshot().entryPrice);
  });

  it('places stop-loss and take-profit as closePosition algo orders, lists them apart from regular orders, and closes the position when one triggers', async () => {
    sim = await startTestSim(400, 100);
    const ex = client(sim);
    await ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { clientOrderId: 'xy-2-E' });
    const price = sim.market.lastPrice;
    // A stop the coming bars reach: just under the highest high of the next 60 bars (above the last price).
    const candles = realMinuteCandles(400);
    const highest = Math.max(...candles.high.subarray(301, 361));
    expect(highest).toBeGreaterThan(price);
    const stop = Math.floor(highest * 10 - 1) / 10;
    const sl = await ex.createOrder(SYMBOL, 'market', 'buy', undefined as unknown as number, undefined, { clientOrderId: 'xy-2-SL', stopLossPrice: stop, closePosition: true });
    await ex.createOrder(SYMBOL, 'market', 'buy', undefined as unknown as number, undefined, { clientOrderId: 'xy-2-TP', takeProfitPrice: Math.round(price * 0.5 * 10) / 10, closePosition: true });
    expect(sl.info).toMatchObject({ clientAlgoId: 'xy-2-SL', algoType: 'CONDITIONAL', orderType: 'STOP_MARKET', closePosition: true });
    expect(sim.requests.filter((r) => r.path === '/fapi/v1/algoOrder')).toHaveLength(2);
    expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.clientOrderId)).toEqual(['xy-2-E']);
    expect((await ex.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).map((o) => o.clientOrderId).sort()).toEqual(['xy-2-SL', 'xy-2-TP']);
    for (let i = 0; i < 60 && (sim.venue.account().quantity !== 0 || i === 0); i++) await sim.step();
    expect(sim.venue.account().quantity).toBe(0);
    const trades = await ex.fetchMyTrades(SYMBOL);
    expect(trades).toHaveLength(2);
    expect(trades[1]!.side).toBe('buy');
    // The take-profit expired with the position; nothing is left open.
    expect(await ex.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toHaveLength(0);
  });

  it('checks signatures, API keys and timestamps with Binance codes, and rate-limits with 429 + Retry-After', async () => {
    sim = await startTestSim(200, 50, { weightLimit: 40 });
    const now = String(Date.now());
    expect((await signedGet(sim, '/fapi/v2/balance', { timestamp: now }, 'wrong-secret')).body.code).toBe(-1022);
    const ok = await signedGet(sim, '/fapi/v2/balance', { timestamp: now });
    expect(ok.status).toBe(200);
    // Weight counts every request, refused ones too, as on Binance.
    expect(Number(ok.headers.get('x-mbx-used-weight-1m'))).toBe(10);
    expect((await signedGet(sim, '/fapi/v2/balance', { timestamp: String(Date.now() - 10_000) })).body).toMatchObject({ code: -1021 });
    expect((await signedGet(sim, '/fapi/v2/balance', { timestamp: String(Date.now() + 5_000) })).body.code).toBe(-1021);
    sim.inject({ kind: 'skew', ms: 30_000 });
    expect((await signedGet(sim, '/fapi/v2/balance', { timestamp: String(Date.now()) })).body.code).toBe(-1021);
    sim.inject({ kind: 'clear' });
    const badKey = await fetch(`${sim.url}/fapi/v1/listenKey`, { method: 'POST', headers: { 'X-MBX-APIKEY': 'nope' } });
    expect(((await badKey.json()) as { code: number }).code).toBe(-2015);
    // 40 weight a minute: the calls above used 30; the next ones run out.
    let limited: Response | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const r = await fetch(`${sim.url}/fapi/v2/balance?timestamp=1`);
      if (r.status === 429) limited = r;
    }
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited!.json()) as { code: number }).code).toBe(-1003);
    const logged = JSON.stringify(sim.requests);
    expect(logged).not.toContain(SIM_SECRET);
    expect(logged).not.toContain(SIM_KEY);
  });

  it('streams klines and the user data stream, ACCOUNT_UPDATE before ORDER_TRADE_UPDATE for a fill, user events before the bar that caused them', async () => {
    sim = await startTestSim(300, 100);
    const ex = client(sim);
    const { listenKey } = (await (ex as unknown as { fapiPrivatePostListenKey(): Promise<{ listenKey: string }> }).fapiPrivatePostListenKey());
    const wsBase = sim.wsUrl;
    const merged: string[] = [];
    const market = collect(`${wsBase}/stream?streams=btcusdt@kline_1m/btcusdt@markPrice`);
    const user = collect(`${wsBase}/ws/${listenKey}`);
    market.socket.on('message', (d) => merged.push(`m:${(JSON.parse(String(d)) as { data: { e: string } }).data.e}`));
    user.socket.on('message', (d) => merged.push(`u:${(JSON.parse(String(d)) as { e: string }).e}`));
    await Promise.all([market.opened, user.opened]);
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'xy-3-E' });
    await sim.step();
    await new Promise((r) => setTimeout(r, 100));
    const klines = market.messages.map((m) => m['data'] as { e: string; k?: { x: boolean; t: number } }).filter((m) => m.e === 'kline');
    expect(klines).toHaveLength(1);
    expect(klines[0]!.k).toMatchObject({ x: true, t: sim.market.lastClose - 60_000 });
    const types = user.messages.map((m) => `${m['e']}${(m['o'] as { x?: string } | undefined)?.x ? `:${(m['o'] as { x: string }).x}` : ''}`);
    expect(types).toEqual(['ORDER_TRADE_UPDATE:NEW', 'ACCOUNT_UPDATE', 'ORDER_TRADE_UPDATE:TRADE']);
    expect(merged.indexOf('u:ACCOUNT_UPDATE')).toBeLessThan(merged.indexOf('m:kline'));
    // Dropping the sockets is a fault a client must survive.
    const closed = new Promise((r) => market.socket.once('close', r));
    sim.inject({ kind: 'drop-ws', target: 'market' });
    await closed;
    expect(user.socket.readyState).toBe(WebSocket.OPEN);
    user.socket.close();
  });
});
