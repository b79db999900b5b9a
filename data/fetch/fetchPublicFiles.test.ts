import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import { startPublicDataServer, type PublicDataServerOptions } from '../../test/servers/publicDataServer.ts';
import { BTCUSDT_1M_CSV, readKlineRows } from '../../test/servers/realKlines.ts';
import { Store } from '../Store.ts';
import { fetchPublicFiles, publicDataFiles, type FilesFetchOptions } from './fetchPublicFiles.ts';
import type { FetchRequest } from './fetchWithCcxt.ts';

const DAY = 86_400_000;
const klines = readKlineRows(BTCUSDT_1M_CSV, '1m');
/** The shared file runs from 2025-05-04 02:53 to 2025-06-03; "now" is mid-day on its last day. */
const NOW = Date.UTC(2025, 5, 3, 12);
const REQUEST: FetchRequest = { market: 'usdm', symbol: 'BTCUSDT', interval: '1m', from: Date.UTC(2025, 3, 1), to: Date.UTC(2025, 5, 3) };
const SERVER: PublicDataServerOptions = { market: 'usdm', symbol: 'BTCUSDT', interval: '1m', klines };

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-files-'));
  store = await Store.open(join(dir, 'store.duckdb'));
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const options = (baseUrl: string): FilesFetchOptions => ({ baseUrl, cacheDir: join(dir, 'cache'), now: NOW, retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 5 } });

async function storedCandles(market = 'usdm'): Promise<number[][]> {
  const rows = await store.all(
    `SELECT open_time::DOUBLE AS t, open, high, low, close, volume, quote_volume, trades::DOUBLE AS n, taker_buy_base, taker_buy_quote
     FROM candles WHERE market = $1 AND symbol = 'BTCUSDT' AND interval = '1m' ORDER BY open_time`,
    [market],
  );
  return rows.map((r) => Object.values(r) as number[]);
}

function expectedCandles(keep: (openTime: number) => boolean): number[][] {
  return klines.filter((k) => keep(k[0])).map((k) => [k[0], ...k.slice(1, 6).map(Number), Number(k[7]), k[8], Number(k[9]), Number(k[10])]);
}

describe('publicDataFiles', () => {
  it('takes monthly files for past months and daily files for the current month up to yesterday', () => {
    expect(publicDataFiles(REQUEST, NOW).map((f) => f.path)).toEqual([
      '/data/futures/um/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-04.zip',
      '/data/futures/um/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-05.zip',
      '/data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-06-01.zip',
      '/data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-06-02.zip',
    ]);
    expect(publicDataFiles({ ...REQUEST, market: 'spot', interval: '1h', from: Date.UTC(2025, 5, 2, 5), to: NOW }, NOW).map((f) => f.path)).toEqual([
      '/data/spot/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2025-06-02.zip',
    ]);
  });

  it('covers every finished day of any range exactly once, with no file outside it', () => {
    const start = Date.UTC(2023, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 800 * DAY }), fc.integer({ min: 1, max: 120 * DAY }), fc.integer({ min: 0, max: 1000 * DAY }), (offset, length, nowOffset) => {
        const from = start + offset;
        const to = from + length;
        const now = start + nowOffset;
        const periods = publicDataFiles({ ...REQUEST, from, to }, now).map((f) => /(\d{4}-\d{2}(-\d{2})?)\.zip$/.exec(f.name)![1]!);
        for (const period of periods) {
          const begin = Date.parse(period.length === 7 ? `${period}-01T00:00:00Z` : `${period}T00:00:00Z`);
          const end = period.length === 7 ? Date.UTC(new Date(begin).getUTCFullYear(), new Date(begin).getUTCMonth() + 1, 1) : begin + DAY;
          expect(begin < to && end > from, `${period} overlaps the range`).toBe(true);
          expect(end <= Math.floor(now / DAY) * DAY, `${period} has ended by ${new Date(now).toISOString()}`).toBe(true);
        }
        for (let day = Math.floor(from / DAY) * DAY; day < Math.min(to, Math.floor(now / DAY) * DAY); day += DAY) {
          const iso = new Date(day).toISOString();
          const covering = periods.filter((p) => p === iso.slice(0, 10) || p === iso.slice(0, 7));
          if (day + DAY > from) expect(covering, iso).toHaveLength(1);
        }
      }),
    );
  });
});

describe('fetchPublicFiles against a loopback data.binance.vision', () => {
  it('imports the verified zips, reports the missing month, and reuses the cache on a second run', async () => {
    const server = await startPublicDataServer(SERVER);
    try {
      const first = await fetchPublicFiles(store, REQUEST, options(server.url));
      expect(first.files.map((f) => [f.name, f.status])).toEqual([
        ['BTCUSDT-1m-2025-04.zip', 'missing'],
        ['BTCUSDT-1m-2025-05.zip', 'imported'],
        ['BTCUSDT-1m-2025-06-01.zip', 'imported'],
        ['BTCUSDT-1m-2025-06-02.zip', 'imported'],
      ]);
      const expected = expectedCandles((t) => t < Date.UTC(2025, 5, 3));
      expect(first.rowsAdded).toBe(expected.length);
      expect(await storedCandles()).toEqual(expected);
      const cached = await readdir(join(dir, 'cache', new URL(server.url).host.replace(':', '_'), 'data/futures/um/monthly/klines/BTCUSDT/1m'));
      expect(cached).toEqual(['BTCUSDT-1m-2025-05.zip']);

      server.requests.length = 0;
      const second = await fetchPublicFiles(store, REQUEST, options(server.url));
      expect(second.files.map((f) => [f.status, f.cached])).toEqual([
        ['missing', false],
        ['unchanged', true],
        ['unchanged', true],
        ['unchanged', true],
      ]);
      // Only the small .CHECKSUM files travel again; no zip is downloaded twice.
      expect(server.requests.filter((r) => r.path.endsWith('.zip'))).toEqual([]);
      expect(server.requests).toHaveLength(4);
      expect(await storedCandles()).toEqual(expected);
    } finally {
      await server.close();
    }
  });

  it('rejects a zip whose checksum does not match, naming the file, and imports the others', async () => {
    const server = await startPublicDataServer({ ...SERVER, missing: ['BTCUSDT-1m-2025-05.zip'], wrongChecksum: ['BTCUSDT-1m-2025-06-02.zip'] });
    try {
      const result = await fetchPublicFiles(store, REQUEST, options(server.url));
      expect(result.files.map((f) => f.status)).toEqual(['missing', 'missing', 'imported', 'rejected']);
      const rejected = result.files[3]!;
      expect(rejected.message).toMatch(/^checksum mismatch for BTCUSDT-1m-2025-06-02\.zip: /);
      expect(rejected.message).toContain(rejected.url);
      expect(await storedCandles()).toEqual(expectedCandles((t) => t >= Date.UTC(2025, 5, 1) && t < Date.UTC(2025, 5, 2)));
      const dailyCache = join(dir, 'cache', new URL(server.url).host.replace(':', '_'), 'data/futures/um/daily/klines/BTCUSDT/1m');
      expect(existsSync(join(dailyCache, 'BTCUSDT-1m-2025-06-01.zip'))).toBe(true);
      expect(existsSync(join(dailyCache, 'BTCUSDT-1m-2025-06-02.zip'))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('reads the spot layout (no CSV header) into the spot market', async () => {
    const server = await startPublicDataServer({ ...SERVER, market: 'spot' });
    try {
      const request: FetchRequest = { ...REQUEST, market: 'spot', from: Date.UTC(2025, 5, 1), to: Date.UTC(2025, 5, 2) };
      const result = await fetchPublicFiles(store, request, options(server.url));
      expect(result.files.map((f) => [f.name, f.status])).toEqual([['BTCUSDT-1m-2025-06-01.zip', 'imported']]);
      expect(await storedCandles('spot')).toEqual(expectedCandles((t) => t >= request.from && t < request.to));
      expect(await storedCandles('usdm')).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('stops with a temporary error naming the URL when the host cannot be reached', async () => {
    const server = await startPublicDataServer(SERVER);
    await server.close();
    const error = await fetchPublicFiles(store, REQUEST, options(server.url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XylenError);
    expect([(error as XylenError).kind, (error as XylenError).code]).toEqual(['temporary', 'FETCH_UNREACHABLE']);
    expect((error as XylenError).message).toContain(`${server.url}/data/futures/um/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-04.zip.CHECKSUM`);
  });

  it('does not retry a host name that does not resolve (half-minute backoffs would outlast the timeout)', async () => {
    const retry = { retries: 5, baseDelayMs: 30_000, maxDelayMs: 30_000 };
    const error = await fetchPublicFiles(store, REQUEST, { ...options('http://xylen-test-host.invalid'), retry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XylenError);
    expect([(error as XylenError).kind, (error as XylenError).code]).toEqual(['temporary', 'FETCH_HOST_NOT_FOUND']);
    expect((error as XylenError).message).toContain('the name xylen-test-host.invalid does not resolve');
    expect((error as XylenError).message).toContain('http://xylen-test-host.invalid/data/futures/um/monthly/klines/BTCUSDT/1m/');
  });
});
