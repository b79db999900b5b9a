import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBinanceClient, loadCcxt } from '../../data/fetch/index.ts';
import { startFapiServer } from './fapiServer.ts';
import type { LoopbackServer } from './LoopbackServer.ts';
import { BTCUSDT_1M_CSV, BTCUSDT_FUNDING_CSV, readFundingRows, readKlineRows } from './realKlines.ts';

const klines = readKlineRows(BTCUSDT_1M_CSV, '1m');
const funding = readFundingRows(BTCUSDT_FUNDING_CSV, 'BTCUSDT', klines);
let server: LoopbackServer;

beforeAll(async () => {
  server = await startFapiServer({ klines: { '1m': klines }, funding });
});
afterAll(() => server.close());

async function get(path: string): Promise<{ status: number; body: unknown; weight: string | null }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.json(), weight: response.headers.get('x-mbx-used-weight-1m') };
}

describe('the loopback Binance fapi server', () => {
  it('serves what ccxt binanceusdm needs for markets, fetchOHLCV and fetchFundingRateHistory', async () => {
    const client = createBinanceClient(await loadCcxt(), { market: 'usdm', baseUrl: server.url, rateLimitMs: 1 });
    try {
      const markets = await client.loadMarkets();
      const market = markets['BTC/USDT:USDT']!;
      expect([market.id, market.swap, market.linear, market.settle]).toEqual(['BTCUSDT', true, true, 'USDT']);
      expect([market.precision.price, market.precision.amount, market.limits.cost?.min]).toEqual([0.1, 0.001, 100]);

      const since = Date.UTC(2025, 4, 10);
      const candles = await client.fetchOHLCV('BTC/USDT:USDT', '1m', since, 5);
      const source = klines.filter((k) => k[0] >= since).slice(0, 5);
      expect(candles).toEqual(source.map((k) => [k[0], ...k.slice(1, 6).map(Number)]));

      const rates = await client.fetchFundingRateHistory('BTC/USDT:USDT', since, 3);
      expect(rates.map((r) => [r.timestamp, r.fundingRate])).toEqual(
        funding.filter((f) => f.fundingTime >= since).slice(0, 3).map((f) => [f.fundingTime, Number(f.fundingRate)]),
      );
    } finally {
      await client.close();
    }
  });

  it('pages klines as Binance does: from startTime forward, else the latest before endTime; 12 fields', async () => {
    const start = Date.UTC(2025, 4, 20);
    const forward = await get(`/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${start}&limit=3`);
    expect(forward.body).toEqual(klines.filter((k) => k[0] >= start).slice(0, 3));
    expect((forward.body as unknown[][])[0]).toHaveLength(12);

    const backward = await get(`/fapi/v1/klines?symbol=BTCUSDT&interval=1m&endTime=${start}&limit=2`);
    expect(backward.body).toEqual(klines.filter((k) => k[0] <= start).slice(-2));

    const latest = await get('/fapi/v1/klines?symbol=BTCUSDT&interval=1m');
    expect(latest.body).toEqual(klines.slice(-500));
    const [weightBefore, weightAfter] = [Number(backward.weight), Number(latest.weight)];
    expect(weightAfter - weightBefore).toBe(5); // limit 500 weighs 5
  });

  it('answers bad requests with Binance error codes', async () => {
    expect(await get('/fapi/v1/klines?symbol=NOPE&interval=1m')).toMatchObject({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
    expect(await get('/fapi/v1/klines?symbol=BTCUSDT&interval=7m')).toMatchObject({ status: 400, body: { code: -1120 } });
    expect(await get('/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1501')).toMatchObject({ status: 400, body: { code: -1102 } });
    expect(await get('/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=abc')).toMatchObject({ status: 400, body: { code: -1102 } });
    expect(await get('/fapi/v1/klines?symbol=BTCUSDT&interval=5m')).toMatchObject({ status: 200, body: [] });
  });

  it('rate-limits the first N klines calls with 429, -1003 and Retry-After', async () => {
    const limited = await startFapiServer({ klines: { '1m': klines }, rateLimitFirstKlines: 1, retryAfterSeconds: 7 });
    try {
      const first = await fetch(`${limited.url}/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1`);
      expect([first.status, first.headers.get('retry-after'), ((await first.json()) as { code: number }).code]).toEqual([429, '7', -1003]);
      const second = await fetch(`${limited.url}/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1`);
      expect(second.status).toBe(200);
      expect(await second.json()).toEqual(klines.slice(-1));
    } finally {
      await limited.close();
    }
  });
});
