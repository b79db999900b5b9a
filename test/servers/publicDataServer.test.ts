import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoopbackServer } from './LoopbackServer.ts';
import { FUTURES_KLINE_HEADER, startPublicDataServer } from './publicDataServer.ts';
import { BTCUSDT_1M_CSV, readKlineRows } from './realKlines.ts';

const klines = readKlineRows(BTCUSDT_1M_CSV, '1m');
const DIR = '/data/futures/um';
let server: LoopbackServer;

beforeAll(async () => {
  server = await startPublicDataServer({
    market: 'usdm',
    symbol: 'BTCUSDT',
    interval: '1m',
    klines,
    missing: ['BTCUSDT-1m-2025-06-02.zip'],
    wrongChecksum: ['BTCUSDT-1m-2025-06-01.zip'],
  });
});
afterAll(() => server.close());

async function bytes(path: string): Promise<{ status: number; body: Uint8Array }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
}

describe('the loopback public data server', () => {
  it('serves a month as a zip of one CSV with the futures header, and a .CHECKSUM that matches it', async () => {
    const zip = await bytes(`${DIR}/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-05.zip`);
    expect(zip.status).toBe(200);
    const entries = unzipSync(zip.body);
    expect(Object.keys(entries)).toEqual(['BTCUSDT-1m-2025-05.csv']);
    const lines = strFromU8(entries['BTCUSDT-1m-2025-05.csv']!).trim().split('\n');
    const may = klines.filter((k) => new Date(k[0]).getUTCMonth() === 4);
    expect(lines).toEqual([FUTURES_KLINE_HEADER, ...may.map((k) => k.join(','))]);

    const checksum = await bytes(`${DIR}/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-05.zip.CHECKSUM`);
    expect(strFromU8(checksum.body)).toBe(`${createHash('sha256').update(zip.body).digest('hex')}  BTCUSDT-1m-2025-05.zip\n`);
  });

  it('serves days, a wrong checksum where asked, and 404 for missing files, empty periods and bad paths', async () => {
    const day = await bytes(`${DIR}/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-06-01.zip`);
    expect(day.status).toBe(200);
    const stated = strFromU8((await bytes(`${DIR}/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-06-01.zip.CHECKSUM`)).body).split(' ')[0];
    expect(stated).toMatch(/^[0-9a-f]{64}$/);
    expect(stated).not.toBe(createHash('sha256').update(day.body).digest('hex'));

    for (const path of [
      `${DIR}/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-06-02.zip`,
      `${DIR}/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-06-02.zip.CHECKSUM`,
      `${DIR}/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-04.zip`,
      `${DIR}/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-05-05.zip`,
      `${DIR}/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2025-05-05.zip`,
      `/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-05-05.zip`,
    ]) {
      expect((await bytes(path)).status, path).toBe(404);
    }
  });
});
