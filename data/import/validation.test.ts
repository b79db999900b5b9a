import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../test/paths.ts';
import { Store } from '../Store.ts';
import { describeProblem, importPaths, type FileImportResult, type ImportOptions } from './index.ts';

const REAL_1M = join(SHARED_DATA, 'binance-usdm/BTCUSDT/BTCUSDT-1m-2025-05-04_2025-06-03.csv');
const HEADER = 'open_time,open,high,low,close,volume';
const KLINE_HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

/** The first real 1m candles as text fields: open_time, open, high, low, close, volume. */
let real: string[][];
beforeAll(async () => {
  const lines = (await readFile(REAL_1M, 'utf8')).split('\n').slice(1, 31);
  real = lines.map((line) => line.split(','));
});

/** A real row in Binance's 12-column layout; the extra columns are derived from the row itself. */
function klineRow([t, o, h, l, c, v]: string[], timeScale = 1): string {
  const time = BigInt(t!) * BigInt(timeScale);
  const closeTime = (BigInt(t!) + 59_999n) * BigInt(timeScale);
  const quote = (Number(v) * Number(c)).toFixed(4);
  return [time, o, h, l, c, v, closeTime, quote, 321, (Number(v) / 2).toFixed(3), (Number(quote) / 2).toFixed(4), 0].join(',');
}

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-import-'));
  store = await Store.open(join(dir, 'store.duckdb'));
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, relative);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

async function importOne(path: string, options: ImportOptions = {}): Promise<FileImportResult> {
  const report = await importPaths(store, [path], options);
  expect(report.files).toHaveLength(1);
  return report.files[0]!;
}

const storedCandles = (table = 'candles') =>
  store.all(`SELECT market, symbol, interval, open_time, open, high, low, close FROM ${table} WHERE symbol = 'BTCUSDT' ORDER BY open_time`);
const expectedCandles = (rows: string[][], market = 'usdm') =>
  rows.map(([t, o, h, l, c]) => ({ market, symbol: 'BTCUSDT', interval: '1m', open_time: BigInt(t!), open: Number(o), high: Number(h), low: Number(l), close: Number(c) }));

describe('Binance 12-column kline files', () => {
  it('reads them with a header, keeping trade counts and quote volumes', async () => {
    const path = await write('BTCUSDT-1m-2025-05-04.csv', [KLINE_HEADER, ...real.map((r) => klineRow(r))].join('\n') + '\n');
    const result = await importOne(path);
    expect(result).toMatchObject({ status: 'imported', rows: real.length, rowsAdded: real.length, format: 'binance-klines-csv' });
    expect(await storedCandles()).toEqual(expectedCandles(real));
    const [extra] = await store.all(`SELECT trades, quote_volume FROM candles ORDER BY open_time LIMIT 1`);
    expect(extra).toEqual({ trades: 321n, quote_volume: Number(klineRow(real[0]!).split(',')[7]) });
  });

  it('reads them without a header (spot files) and takes the market from a spot/ folder', async () => {
    const path = await write('data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-05-04.csv', real.map((r) => klineRow(r)).join('\n') + '\n');
    expect(await importOne(path)).toMatchObject({ status: 'imported', market: 'spot', rows: real.length });
    expect(await storedCandles()).toEqual(expectedCandles(real, 'spot'));
  });

  it('converts microsecond open times (Binance spot files from 2025) to milliseconds', async () => {
    const path = await write('BTCUSDT-1m-2025-05-04.csv', real.map((r) => klineRow(r, 1000)).join('\n') + '\n');
    expect(klineRow(real[0]!, 1000).split(',')[0]).toHaveLength(16);
    expect(await importOne(path, { market: 'spot' })).toMatchObject({ status: 'imported', firstTime: Number(real[0]![0]) });
    expect(await storedCandles()).toEqual(expectedCandles(real, 'spot'));
  });

  it('imports each CSV inside a monthly zip as published, with the market from futures/um', async () => {
    const csv = new TextEncoder().encode([KLINE_HEADER, ...real.map((r) => klineRow(r))].join('\n') + '\n');
    const zip = await write('data/futures/um/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-05.zip', zipSync({ 'BTCUSDT-1m-2025-05.csv': csv }));
    const result = await importOne(zip, { defaultMarket: 'spot' });
    expect(result).toMatchObject({ status: 'imported', market: 'usdm', source: `${zip}!BTCUSDT-1m-2025-05.csv`, rows: real.length });
    expect(await storedCandles()).toEqual(expectedCandles(real));
    expect((await importOne(zip)).status).toBe('unchanged');
  });

  it('sends markPriceKlines to mark_candles and fundingRate files to funding_rates', async () => {
    const mark = zipSync({ 'BTCUSDT-1m-2025-05.csv': new TextEncoder().encode(real.map((r) => klineRow(r)).join('\n')) });
    const markZip = await write('futures/um/monthly/markPriceKlines/BTCUSDT/1m/BTCUSDT-1m-2025-05.zip', mark);
    expect(await importOne(markZip)).toMatchObject({ status: 'imported', dataset: 'mark_candles' });
    expect(await storedCandles('mark_candles')).toEqual(expectedCandles(real));

    const funding = 'calc_time,funding_interval_hours,last_funding_rate\n1746403200000,8,0.00004516\n1746432000003,8,-0.00001200\n';
    const fundingZip = await write('futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2025-05.zip', zipSync({ 'BTCUSDT-fundingRate-2025-05.csv': new TextEncoder().encode(funding) }));
    expect(await importOne(fundingZip)).toMatchObject({ status: 'imported', dataset: 'funding_rates', rows: 2 });
    expect(await store.all(`SELECT funding_time, rate FROM funding_rates ORDER BY funding_time`)).toEqual([
      { funding_time: 1746403200000n, rate: 0.00004516 },
      { funding_time: 1746432000000n, rate: -0.000012 },
    ]);
  });
});

describe('freqtrade JSON files', () => {
  it('reads [ms, o, h, l, c, v] arrays; a spot pair name means spot', async () => {
    const path = await write('BTC_USDT-1m.json', JSON.stringify(real.map((r) => r.map(Number))));
    expect(await importOne(path)).toMatchObject({ status: 'imported', market: 'spot', symbol: 'BTCUSDT', interval: '1m', rows: real.length });
    expect(await storedCandles()).toEqual(expectedCandles(real, 'spot'));
  });
});

describe('malformed files are rejected whole, with file:line problems', () => {
  const good = () => [HEADER, ...real.map((r) => r.join(','))];

  async function expectRejected(name: string, content: string | Uint8Array, line: number | undefined, pattern: RegExp): Promise<FileImportResult> {
    const path = await write(name, content);
    const result = await importOne(path);
    expect(result.status).toBe('rejected');
    const shown = result.problems.map((p) => describeProblem(result.source, p));
    const prefix = line === undefined ? `${path}: ` : `${path}:${line}: `;
    expect(shown.some((text) => text.startsWith(prefix) && pattern.test(text)), shown.join('\n')).toBe(true);
    const [recorded] = await store.all(`SELECT status, message FROM imports WHERE source = $1`, [result.source]);
    expect(recorded!['status']).toBe('rejected');
    expect(String(recorded!['message'])).toMatch(pattern);
    return result;
  }

  it('a truncated last row', async () => {
    const lines = good();
    lines[lines.length - 1] = lines.at(-1)!.split(',').slice(0, 3).join(',');
    await expectRejected('BTCUSDT-1m-a.csv', lines.join('\n'), lines.length, /truncated row: 3 of 6 fields/);
  });

  it('text in a price field', async () => {
    const lines = good();
    lines[5] = lines[5]!.replace(/,[^,]+,/, ',12x34,');
    await expectRejected('BTCUSDT-1m-b.csv', lines.join('\n'), 6, /open is not a number \("12x34"\)/);
  });

  it('high below low', async () => {
    const lines = good();
    const [t, o, , l, c, v] = lines[8]!.split(',');
    lines[8] = [t, o, Number(l) - 1, l, c, v].join(',');
    await expectRejected('BTCUSDT-1m-c.csv', lines.join('\n'), 9, /high < low/);
  });

  it('a repeated timestamp with different values', async () => {
    const lines = good();
    const [t, o, h, l, c, v] = lines[4]!.split(',');
    lines.splice(5, 0, [t, o, h, l, c, Number(v) + 1].join(','));
    await expectRejected('BTCUSDT-1m-d.csv', lines.join('\n'), 6, /duplicate open_time .* with values different from the row before it/);
  });

  it('times going backwards, off the interval grid, negative volume, empty fields', async () => {
    const lines = good();
    const swap = lines[3]!;
    lines[3] = lines[4]!;
    lines[4] = swap;
    const [t, o, h, l, c] = lines[10]!.split(',');
    lines[10] = [Number(t) + 1000, o, h, l, c, '5'].join(',');
    lines[12] = lines[12]!.replace(/,[^,]+$/, ',-1');
    lines[14] = lines[14]!.replace(/,[^,]+$/, ',');
    const result = await expectRejected('BTCUSDT-1m-e.csv', lines.join('\n'), 5, /open_time goes backwards/);
    const byLine = Object.fromEntries(result.problems.map((p) => [p.line, p.message]));
    expect(byLine[11]).toMatch(/not on the 1m grid/);
    expect(byLine[13]).toMatch(/negative volume \(-1/);
    expect(byLine[15]).toMatch(/empty field volume/);
  });

  it('an empty file, and a file with only a header', async () => {
    await expectRejected('BTCUSDT-1m-f.csv', '', undefined, /empty file/);
    await expectRejected('BTCUSDT-1m-g.csv', `${HEADER}\n`, undefined, /empty file: no data rows/);
  });

  it('a binary file is named as one, without its bytes; a long unknown header is cut short', async () => {
    const bytes = new Uint8Array(3000).map((_, i) => (i * 7919 + 13) % 256);
    const binary = await expectRejected('BTCUSDT-1m-h.csv', bytes, 1, /not a CSV file: its first line is not text/);
    expect(binary.problems[0]!.message).not.toMatch(/[\u0000-\u0008\u000e-\u001f\ufffd]/);
    const long = await expectRejected('BTCUSDT-1m-i.csv', `${'column_'.repeat(40)}\n1,2\n`, 1, /unknown CSV header "column_.*…"$/);
    expect(long.problems[0]!.message.length).toBeLessThan(160);
  });

  it('a zip holding no CSV names the zip', async () => {
    await expectRejected('BTCUSDT-1m-2025-05.zip', zipSync({ 'notes.txt': new TextEncoder().encode('hello') }), undefined, /the zip holds no CSV file/);
  });

  it('a file whose name does not say the symbol, unless --symbol does; a flag contradicting the name', async () => {
    const path = await write('prices.csv', good().join('\n'));
    expect((await importOne(path)).problems[0]!.message).toMatch(/cannot tell the symbol.*--symbol/);
    expect(await importOne(path, { symbol: 'BTCUSDT' })).toMatchObject({ status: 'rejected', problems: [{ message: expect.stringMatching(/interval/) }] });
    expect(await importOne(path, { symbol: 'BTCUSDT', interval: '1m' })).toMatchObject({ status: 'imported', rows: real.length });
    const named = await write('BTCUSDT-1m-x.csv', good().join('\n'));
    expect((await importOne(named, { symbol: 'ETHUSDT' })).problems[0]!.message).toMatch(/says symbol BTCUSDT but --symbol says ETHUSDT/);
  });
});

describe('merging with what is stored', () => {
  it('a rejected file leaves the stored rows intact, and other files still import', async () => {
    const first = await write('BTCUSDT-1m-first.csv', [HEADER, ...real.slice(0, 20).map((r) => r.join(','))].join('\n'));
    expect((await importOne(first)).status).toBe('imported');
    const before = await storedCandles();

    // Overlaps the stored rows with one different close, and brings ten new rows.
    const changed = real.map((r, i) => (i === 7 ? [...r.slice(0, 4), String(Number(r[4]) + 0.1), r[5]!] : r));
    const conflicting = await write('BTCUSDT-1m-second.csv', [HEADER, ...changed.map((r) => r.join(','))].join('\n'));
    const other = await write('ETHUSDT-1m-other.csv', [HEADER, ...real.map((r) => r.join(','))].join('\n'));
    const report = await importPaths(store, [conflicting, other], {});
    expect(report.files.map((f) => f.status)).toEqual(['rejected', 'imported']);
    const problem = report.files[0]!.problems[0]!;
    expect(problem.line).toBe(9);
    expect(problem.message).toContain(`stored open,high,low,close,volume = ${Number(real[7]![1])}`);
    expect(await storedCandles()).toEqual(before);
  });

  it('collapses identical repeated rows and says so', async () => {
    const rows = [...real.slice(0, 5), real[4]!, ...real.slice(5, 10)];
    const result = await importOne(await write('BTCUSDT-1m-rep.csv', [HEADER, ...rows.map((r) => r.join(','))].join('\n')));
    expect(result).toMatchObject({ status: 'imported', rows: 11, rowsAdded: 10 });
    expect(result.notes[0]).toMatch(/1 row\(s\) repeating the row before them exactly were collapsed \(first at line 7\)/);
  });
});
