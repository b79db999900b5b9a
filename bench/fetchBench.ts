import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchPublicFiles, fetchWithCcxt } from '../data/fetch/index.ts';
import { Store } from '../data/index.ts';
import { startFapiServer } from '../test/servers/fapiServer.ts';
import { startPublicDataServer } from '../test/servers/publicDataServer.ts';
import { BTCUSDT_1M_CSV, readKlineRows } from '../test/servers/realKlines.ts';

/**
 * `xylen data fetch` overhead on our side, against the loopback servers (no network, ccxt's pacing
 * off): a month of real BTCUSDT 1m through ccxt in pages of 1500, and as one monthly zip. Against
 * Binance, ccxt's rate limiter (500 ms per 1500-candle page) dominates: ~15 s per month of 1m.
 */
export async function run(): Promise<void> {
  const klines = readKlineRows(BTCUSDT_1M_CSV, '1m');
  const request = { market: 'usdm', symbol: 'BTCUSDT', interval: '1m', from: Date.UTC(2025, 4, 1), to: Date.UTC(2025, 5, 1) } as const;
  console.log(`fetch: real BTCUSDT 1m, May 2025, loopback servers; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  const dir = await mkdtemp(join(tmpdir(), 'xylen-fetch-bench-'));
  const fapi = await startFapiServer({ klines: { '1m': klines } });
  const files = await startPublicDataServer({ market: 'usdm', symbol: 'BTCUSDT', interval: '1m', klines });
  try {
    const ccxtStore = await Store.open(join(dir, 'ccxt.duckdb'));
    let started = performance.now();
    const viaCcxt = await fetchWithCcxt(ccxtStore, request, { baseUrl: fapi.url, rateLimitMs: 1 }).finally(() => ccxtStore.close());
    let seconds = (performance.now() - started) / 1000;
    console.log(`  ccxt   ${seconds.toFixed(2)} s  ${viaCcxt.candles.rowsAdded.toLocaleString('en-US')} candles in ${viaCcxt.candles.requests} pages  ${Math.round(viaCcxt.candles.rowsAdded / seconds).toLocaleString('en-US')} candles/s`);

    const filesStore = await Store.open(join(dir, 'files.duckdb'));
    started = performance.now();
    const viaFiles = await fetchPublicFiles(filesStore, request, { baseUrl: files.url, cacheDir: join(dir, 'cache'), now: Date.UTC(2025, 5, 3) }).finally(() => filesStore.close());
    seconds = (performance.now() - started) / 1000;
    console.log(`  files  ${seconds.toFixed(2)} s  ${viaFiles.rowsAdded.toLocaleString('en-US')} candles from ${viaFiles.files.length} zip  ${Math.round(viaFiles.rowsAdded / seconds).toLocaleString('en-US')} candles/s`);
  } finally {
    await Promise.all([fapi.close(), files.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
