import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { startFapiServer } from '../../test/servers/fapiServer.ts';
import { runXylen } from '../../test/runXylen.ts';
import type { LoopbackServer } from '../../test/servers/LoopbackServer.ts';
import { startPublicDataServer } from '../../test/servers/publicDataServer.ts';
import { BTCUSDT_1M_CSV, readKlineRows } from '../../test/servers/realKlines.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-fetch-cli-'));
const klines = readKlineRows(BTCUSDT_1M_CSV, '1m');
let fapi: LoopbackServer;
let files: LoopbackServer;

beforeAll(async () => {
  fapi = await startFapiServer({ klines: { '1m': klines } });
  files = await startPublicDataServer({ market: 'usdm', symbol: 'BTCUSDT', interval: '1m', klines, wrongChecksum: ['BTCUSDT-1m-2025-05.zip'] });
});
afterAll(async () => {
  await Promise.all([fapi.close(), files.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const xylen = (args: string[], env: Record<string, string> = {}) =>
  runXylen(['--db', join(dir, 'default.duckdb'), ...args], { XYLEN_CACHE: join(dir, 'cache'), XYLEN_BINANCE_URL: '', ...env });

async function storedOpenTimes(db: string): Promise<number[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const rows = await store.all(`SELECT open_time::DOUBLE AS t, close FROM candles WHERE market = 'usdm' AND symbol = 'BTCUSDT' ORDER BY open_time`);
    return rows.map((r) => r['t'] as number);
  } finally {
    store.close();
  }
}

const openTimes = (from: number, to: number) => klines.filter((k) => k[0] >= from && k[0] < to).map((k) => k[0]);

describe('xylen data fetch', () => {
  it('--source ccxt talks to the host in XYLEN_BINANCE_URL (or --base-url) and stores the range', async () => {
    const db = join(dir, 'ccxt.duckdb');
    const range = ['--from', '2025-05-20T00:00Z', '--to', '2025-05-20T02:00Z'];
    const first = await xylen(['--db', db, 'data', 'fetch', '--symbol', 'BTCUSDT', ...range], { XYLEN_BINANCE_URL: fapi.url });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('120 new');
    expect(await storedOpenTimes(db)).toEqual(openTimes(Date.UTC(2025, 4, 20), Date.UTC(2025, 4, 20, 2)));

    const json = await xylen(['--db', db, 'data', 'fetch', '--base-url', fapi.url, '--from', '2025-05-20T00:00Z', '--to', '2025-05-20T03:00Z', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { candles: { resumedFrom: number; rowsAdded: number } };
    expect(parsed.candles).toMatchObject({ resumedFrom: Date.UTC(2025, 4, 20, 2), rowsAdded: 60 });
  });

  it('--source files imports verified zips and fails with exit 1 naming a file whose checksum is wrong', async () => {
    const db = join(dir, 'files.duckdb');
    const good = await xylen(['--db', db, 'data', 'fetch', '--source', 'files', '--base-url', files.url, '--from', '2025-06-01', '--to', '2025-06-03']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('BTCUSDT-1m-2025-06.zip');
    // A month file holds the whole month: everything the server has for June.
    expect(await storedOpenTimes(db)).toEqual(openTimes(Date.UTC(2025, 5, 1), Date.UTC(2025, 6, 1)));

    const bad = await xylen(['--db', db, 'data', 'fetch', '--source', 'files', '--base-url', files.url, '--from', '2025-04-01', '--to', '2025-06-01']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error[FETCH_FILES_REJECTED]');
    expect(bad.stderr).toContain('checksum mismatch for BTCUSDT-1m-2025-05.zip');
    expect(bad.stdout).toMatch(/BTCUSDT-1m-2025-04\.zip\s+missing/);
  });

  it('turns network trouble and bad flags into one-line errors, never a stack trace', async () => {
    const gone = await startFapiServer({ klines: {} });
    await gone.close();
    // One retry: the default five would back off for half a minute in total.
    const unreachable = await xylen(['--db', join(dir, 'x.duckdb'), 'data', 'fetch', '--base-url', gone.url, '--retries', '1', '--from', '2025-05-20', '--to', '2025-05-21']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('error[FETCH_UNREACHABLE]');
    expect(unreachable.stderr).toContain(gone.url);
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
    // A host name that does not resolve (an offline machine) fails at once, with the default retries too.
    const offline = await xylen(['--db', join(dir, 'x.duckdb'), 'data', 'fetch', '--base-url', 'http://xylen-test-host.invalid', '--from', '2025-05-20', '--to', '2025-05-21']);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain('error[FETCH_HOST_NOT_FOUND]: the name xylen-test-host.invalid does not resolve');

    const range = await xylen(['data', 'fetch', '--from', '2025-05-21', '--to', '2025-05-20', '--base-url', fapi.url]);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('--to');
    const url = await xylen(['data', 'fetch', '--from', '2025-05-20', '--base-url', 'ftp://example']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--base-url');
  });
});
