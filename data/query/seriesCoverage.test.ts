import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../Store.ts';
import { importLog } from './importLog.ts';
import { seriesCoverage, type Gap } from './seriesCoverage.ts';
import { appendCandles, insertRealCandles, insertRealFunding, realFile, TempStores } from './testStore.ts';

const MINUTE = 60_000;
const EIGHT_HOURS = 8 * 3_600_000;
const stores = new TempStores();
let store: Store;
beforeAll(async () => {
  store = await stores.open();
});
afterAll(() => stores.cleanup());

/** Gaps by walking sorted times one by one: the naive reference for the SQL. */
function naiveGaps(times: number[], step: number): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < times.length; i++) {
    const missing = Math.round((times[i]! - times[i - 1]!) / step) - 1;
    if (missing > 0) gaps.push({ from: times[i - 1]! + step, to: times[i]! - step, missing });
  }
  return gaps;
}

function fileTimes(file: string): number[] {
  return readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => Number(line.split(',')[0]));
}

describe('seriesCoverage', () => {
  it('finds the gaps cut into the real BTCUSDT 1m month, as a walk over the file finds them', async () => {
    const file = realFile('BTCUSDT', 'BTCUSDT-1m-2025-05-04_2025-06-03.csv');
    await insertRealCandles(store, file, { market: 'usdm', symbol: 'BTCUSDT', interval: '1m' });
    const times = fileTimes(file);
    // Cut three holes: 1 minute, 30 minutes, and the 2nd candle (so a gap right at the start).
    const cut = new Set([times[1]!, ...times.slice(5000, 5030), times[20_000]!]);
    for (const t of cut) await store.connection.run(`DELETE FROM candles WHERE interval = '1m' AND open_time = ${t}`);
    const kept = times.filter((t) => !cut.has(t));

    const [coverage] = await seriesCoverage(store, { interval: '1m' });
    expect(coverage).toMatchObject({ kind: 'candles', market: 'usdm', symbol: 'BTCUSDT', interval: '1m', first: times[0], last: times.at(-1), rows: kept.length });
    expect(coverage!.expectedRows).toBe(times.length); // the README: no gaps inside the file
    expect(coverage!.gaps).toEqual(naiveGaps(kept, MINUTE));
    expect(coverage!.gaps.map((g) => g.missing)).toEqual([1, 30, 1]);
    expect(coverage!.missing).toBe(32);
  });

  it("does not count Binance's millisecond jitter in funding times as gaps, but finds a missing settlement", async () => {
    const file = realFile('BTCUSDT', 'BTCUSDT-funding-2023-01-01_2024-05-14.csv');
    await insertRealFunding(store, file, { market: 'usdm', symbol: 'BTCUSDT' });
    const times = fileTimes(file);
    expect(times.some((t) => t % EIGHT_HOURS !== 0)).toBe(true); // the file really has jitter
    let [funding] = (await seriesCoverage(store, { symbol: 'BTCUSDT' })).filter((s) => s.kind === 'funding');
    expect(funding).toMatchObject({ interval: '8h', rows: times.length, expectedRows: times.length, missing: 0, gaps: [] });

    await store.connection.run(`DELETE FROM funding_rates WHERE funding_time = ${times[100]}`);
    [funding] = (await seriesCoverage(store, { symbol: 'BTCUSDT' })).filter((s) => s.kind === 'funding');
    expect(funding!.gaps).toEqual([{ from: times[99]! + EIGHT_HOURS, to: times[101]! - EIGHT_HOURS, missing: 1 }]);
    expect(funding!.expectedRows).toBe(times.length);
  });

  it('labels mark-price candles and honours the filters', async () => {
    await insertRealCandles(store, realFile('ETHUSDT', 'ETHUSDT-markprice-1h-2019-12-23_2026-05-17.csv'), { market: 'usdm', symbol: 'ETHUSDT', interval: '1h' }, 'mark_candles');
    const eth = await seriesCoverage(store, { symbol: 'ETHUSDT' });
    expect(eth.map((s) => [s.kind, s.interval])).toEqual([['mark', '1h']]);
    expect(eth[0]!.rows).toBe(56_084); // the README's row count
    expect(await seriesCoverage(store, { market: 'spot' })).toEqual([]);
    expect((await seriesCoverage(store, { interval: '8h' })).map((s) => s.kind)).toEqual(['funding']);
  });

  it('matches the naive walk on random series with holes, for any interval', async () => {
    const scratch = await stores.open();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(['1m', MINUTE] as const, ['15m', 15 * MINUTE] as const, ['4h', 4 * 3_600_000] as const),
        fc.uniqueArray(fc.nat(400), { minLength: 1, maxLength: 150 }),
        async ([interval, step], slots) => {
          await scratch.connection.run('DELETE FROM candles');
          const times = slots.map((s) => Date.UTC(2024, 0, 1) + s * step).sort((a, b) => a - b);
          await appendCandles(scratch, times.map((openTime) => ({ market: 'synthetic', symbol: 'RNDUSDT', interval, openTime, open: 1, high: 1, low: 1, close: 1, volume: 1 })));
          const [coverage] = await seriesCoverage(scratch);
          const gaps = naiveGaps(times, step);
          expect(coverage!.gaps).toEqual(gaps);
          expect(coverage!.expectedRows).toBe((times.at(-1)! - times[0]!) / step + 1);
          expect(coverage!.rows + coverage!.missing).toBe(coverage!.expectedRows);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('importLog', () => {
  it('summarizes the log: totals by status, newest first, rejected files with their message', async () => {
    const scratch = await stores.open();
    const insert = (source: string, status: string, message: string | null) =>
      scratch.connection.run(
        `INSERT INTO imports (source, format, dataset, market, symbol, interval, rows, rows_added, checksum, status, message, imported_at)
         VALUES ($1, 'ohlcv-csv', 'candles', 'usdm', 'BTCUSDT', '1m', 10, 10, 'x', $2, $3, TIMESTAMP '2025-01-02 03:04:05')`,
        [source, status, message],
      );
    await insert('a.csv', 'imported', null);
    await insert('b.csv', 'rejected', 'b.csv:7: high below low');
    await insert('a.csv', 'unchanged', null);
    await insert('c.csv', 'rejected', 'c.csv:2: not a number');
    const log = await importLog(scratch, 3);
    expect(log.totals).toEqual({ imported: 1, rejected: 2, unchanged: 1 });
    expect(log.recent.map((e) => e.source)).toEqual(['c.csv', 'a.csv', 'b.csv']);
    expect(log.rejected.map((e) => e.message)).toEqual(['c.csv:2: not a number', 'b.csv:7: high below low']);
    expect(log.recent[0]!.importedAt).toBe('2025-01-02 03:04:05Z');
  });
});
