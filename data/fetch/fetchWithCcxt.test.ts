import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import { startFapiServer } from '../../test/servers/fapiServer.ts';
import type { LoopbackServer } from '../../test/servers/LoopbackServer.ts';
import { BTCUSDT_1M_CSV, BTCUSDT_FUNDING_CSV, readFundingRows, readKlineRows, type KlineRow } from '../../test/servers/realKlines.ts';
import { Store } from '../Store.ts';
import { fetchWithCcxt, type CcxtFetchOptions, type FetchRequest } from './fetchWithCcxt.ts';

const klines = readKlineRows(BTCUSDT_1M_CSV, '1m');
const funding = readFundingRows(BTCUSDT_FUNDING_CSV, 'BTCUSDT', klines);
const FROM = Date.UTC(2025, 4, 10);
const TO = Date.UTC(2025, 4, 13); // 4,320 candles: three pages of 1500
const REQUEST: FetchRequest = { market: 'usdm', symbol: 'BTCUSDT', interval: '1m', from: FROM, to: TO };

let server: LoopbackServer;
let dir: string;
let store: Store;

beforeAll(async () => {
  server = await startFapiServer({ klines: { '1m': klines }, funding });
});
afterAll(() => server.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-fetch-'));
  store = await Store.open(join(dir, 'store.duckdb'));
  server.requests.length = 0;
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Options that talk to the loopback server (never Binance) without ccxt's production pacing. */
const fast = (extra: CcxtFetchOptions = {}): CcxtFetchOptions => ({ baseUrl: server.url, rateLimitMs: 1, retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 2_000 }, ...extra });

const klineRequests = (s: LoopbackServer) => s.requests.filter((r) => r.path === '/fapi/v1/klines');

async function storedCandles(): Promise<number[][]> {
  const rows = await store.all(
    `SELECT open_time::DOUBLE AS t, open, high, low, close, volume, quote_volume, trades::DOUBLE AS n, taker_buy_base, taker_buy_quote
     FROM candles WHERE market = 'usdm' AND symbol = 'BTCUSDT' AND interval = '1m' ORDER BY open_time`,
  );
  return rows.map((r) => Object.values(r) as number[]);
}

/** The source rows of [from, to) as numbers, in the store's column order. */
function expectedCandles(from: number, to: number): number[][] {
  const inRange = klines.filter((k) => k[0] >= from && k[0] < to);
  return inRange.map((k: KlineRow) => [k[0], ...k.slice(1, 6).map(Number), Number(k[7]), k[8], Number(k[9]), Number(k[10])]);
}

async function failure(work: Promise<unknown>): Promise<XylenError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof XylenError)) throw new Error(`expected a XylenError, got ${String(error)}`);
  return error;
}

describe('fetchWithCcxt against a loopback Binance fapi server', () => {
  it('stores exactly the source rows of the range, in pages of 1500, with funding', async () => {
    const progress: number[] = [];
    const result = await fetchWithCcxt(store, REQUEST, fast({ funding: true, onProgress: (done) => progress.push(done) }));

    const expected = expectedCandles(FROM, TO);
    expect(expected.length).toBe(4_320);
    expect(await storedCandles()).toEqual(expected);
    expect(result.candles).toMatchObject({ resumedFrom: FROM, rows: 4_320, rowsAdded: 4_320 });
    expect(klineRequests(server).map((r) => [Number(r.query['startTime']), r.query['limit']])).toEqual([
      [FROM, '1500'],
      [FROM + 1_500 * 60_000, '1500'],
      [FROM + 3_000 * 60_000, '1500'],
    ]);
    expect(progress.at(-1)).toBe(4_320);
    expect(result.source).toBe(`ccxt:binanceusdm@${server.url}`);

    const fundingInRange = funding.filter((f) => f.fundingTime >= FROM && f.fundingTime < TO);
    expect(fundingInRange.length).toBe(9);
    const storedFunding = await store.all(`SELECT funding_time::DOUBLE AS t, rate, mark_price FROM funding_rates ORDER BY funding_time`);
    expect(storedFunding).toEqual(fundingInRange.map((f) => ({ t: f.fundingTime, rate: Number(f.fundingRate), mark_price: Number(f.markPrice) })));

    const [log] = await store.all(`SELECT count(*)::INTEGER AS n, min(source) AS source, min(format) AS format FROM imports WHERE dataset = 'candles'`);
    expect(log).toEqual({ n: 3, source: result.source, format: 'binance-klines-rest' });
  });

  it('resumes an interrupted fetch: the second run asks only for the remainder and adds no duplicates', async () => {
    const middle = FROM + 2_000 * 60_000;
    await fetchWithCcxt(store, { ...REQUEST, to: middle }, fast());
    expect((await storedCandles()).length).toBe(2_000);

    server.requests.length = 0;
    const second = await fetchWithCcxt(store, REQUEST, fast());
    expect(second.candles.resumedFrom).toBe(middle);
    expect(klineRequests(server).map((r) => Number(r.query['startTime']))).toEqual([middle, middle + 1_500 * 60_000]);
    expect(second.candles.rowsAdded).toBe(2_320);
    expect(await storedCandles()).toEqual(expectedCandles(FROM, TO));

    server.requests.length = 0;
    const third = await fetchWithCcxt(store, REQUEST, fast());
    expect(klineRequests(server)).toHaveLength(0);
    expect(third.candles.rowsAdded).toBe(0);
  });

  it('does not skip a gap: candles stored further on do not make it resume past missing ones', async () => {
    const late = FROM + 4_000 * 60_000;
    await fetchWithCcxt(store, { ...REQUEST, from: late }, fast());
    server.requests.length = 0;
    const whole = await fetchWithCcxt(store, REQUEST, fast());
    expect(whole.candles.resumedFrom).toBe(FROM);
    expect(klineRequests(server).map((r) => Number(r.query['startTime']))[0]).toBe(FROM);
    expect(whole.candles.rowsAdded).toBe(4_000);
    expect(await storedCandles()).toEqual(expectedCandles(FROM, TO));
  });

  it('fetches only closed candles: nothing at or after the current minute', async () => {
    const now = FROM + 100 * 60_000 + 30_000; // half-way through the 101st minute
    await fetchWithCcxt(store, REQUEST, fast({ now }));
    expect(await storedCandles()).toEqual(expectedCandles(FROM, FROM + 100 * 60_000));
  });

  it('backs off on 429 for at least the Retry-After the server sent, then completes', async () => {
    const limited = await startFapiServer({ klines: { '1m': klines }, rateLimitFirstKlines: 2, retryAfterSeconds: 1 });
    try {
      const from = Date.UTC(2025, 4, 20);
      await fetchWithCcxt(store, { ...REQUEST, from, to: from + 60 * 60_000 }, fast({ baseUrl: limited.url }));
      const calls = klineRequests(limited);
      expect(calls).toHaveLength(3);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(990);
      expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(990);
      expect(await storedCandles()).toEqual(expectedCandles(from, from + 60 * 60_000));
    } finally {
      await limited.close();
    }
  });

  it('gives up after a bounded number of retries with a temporary error naming the host and symbol', async () => {
    const limited = await startFapiServer({ klines: { '1m': klines }, rateLimitFirstKlines: 1_000, retryAfterSeconds: 0 });
    try {
      const error = await failure(fetchWithCcxt(store, REQUEST, fast({ baseUrl: limited.url, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 50 } })));
      expect(error.kind).toBe('temporary');
      expect(error.code).toBe('FETCH_RATE_LIMITED');
      expect(error.message).toContain(limited.url);
      expect(error.message).toContain('BTCUSDT 1m candles');
      expect(klineRequests(limited)).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });

  it('reports an unknown symbol as bad input and an unreachable host as temporary, without storing anything', async () => {
    const unknown = await failure(fetchWithCcxt(store, { ...REQUEST, symbol: 'NOPEUSDT' }, fast()));
    expect([unknown.kind, unknown.code, unknown.where]).toEqual(['input', 'FETCH_UNKNOWN_SYMBOL', '--symbol']);

    const gone = await startFapiServer({ klines: {} });
    await gone.close();
    const unreachable = await failure(fetchWithCcxt(store, REQUEST, fast({ baseUrl: gone.url, retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 5 } })));
    expect([unreachable.kind, unreachable.code]).toEqual(['temporary', 'FETCH_UNREACHABLE']);
    expect(unreachable.message).toContain(gone.url);
    expect(await storedCandles()).toEqual([]);
  });

  it('does not retry a host name that does not resolve, and says which', async () => {
    // .invalid never resolves (RFC 6761). Were it retried, the half-minute backoffs would outlast the test's timeout.
    const retry = { retries: 5, baseDelayMs: 30_000, maxDelayMs: 30_000 };
    const unknown = await failure(fetchWithCcxt(store, REQUEST, fast({ baseUrl: 'http://xylen-test-host.invalid:8080', retry })));
    expect([unknown.kind, unknown.code]).toEqual(['temporary', 'FETCH_HOST_NOT_FOUND']);
    expect(unknown.message).toContain('the name xylen-test-host.invalid does not resolve');
    expect(unknown.hint).toContain('offline');
    expect(await storedCandles()).toEqual([]);
  });
});
