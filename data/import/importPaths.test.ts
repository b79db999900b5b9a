import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionType, compressionRegistry, tableFromIPC } from 'apache-arrow';
import lz4 from 'lz4js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../test/paths.ts';
import { Store } from '../Store.ts';
import { importPaths, type ImportReport } from './index.ts';

const USDM = join(SHARED_DATA, 'binance-usdm');
const FREQTRADE = join(SHARED_DATA, 'freqtrade/binance/futures');

/** Rows of a CSV as numbers, read naively (the expected side of every comparison). */
async function csvRows(path: string): Promise<number[][]> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  return lines.slice(1).map((line) => line.split(',').map(Number));
}

/** date (ms), open, high, low, close, volume of a freqtrade feather file, read with apache-arrow directly. */
async function featherRows(path: string): Promise<number[][]> {
  // freqtrade's buffers are LZ4-framed; the expected side decodes them on its own, not through the importer's set-up.
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data: Uint8Array) => Uint8Array.from(lz4.decompress(data)) });
  const table = tableFromIPC(await readFile(path));
  const columns = ['date', 'open', 'high', 'low', 'close', 'volume'].map((name) => table.getChild(name)!);
  return Array.from({ length: table.numRows }, (_, i) => columns.map((column) => Number(column.get(i))));
}

interface SeriesFile {
  path: string;
  table: 'candles' | 'mark_candles' | 'funding_rates';
  symbol: string;
  interval?: string;
  rows: number[][];
}

/** Every data file under ../shared/data with the series it belongs to, worked out here from its name. */
async function sharedFiles(): Promise<SeriesFile[]> {
  const files: SeriesFile[] = [];
  for (const symbol of await readdir(USDM)) {
    for (const name of await readdir(join(USDM, symbol))) {
      const path = join(USDM, symbol, name);
      const [, kind, interval] = /^[A-Z]+-(?:(markprice|funding)-?)?(\d+[mh])?/.exec(name)!;
      const table = kind === 'funding' ? 'funding_rates' : kind === 'markprice' ? 'mark_candles' : 'candles';
      files.push({ path, table, symbol, ...(interval ? { interval } : {}), rows: await csvRows(path) });
    }
  }
  for (const name of await readdir(FREQTRADE)) {
    const [, base, interval, kind] = /^([A-Z]+)_USDT_USDT-(\d+[mh])-(futures|funding_rate)\.feather$/.exec(name)!;
    const path = join(FREQTRADE, name);
    const rows = await featherRows(path);
    if (kind === 'funding_rate') files.push({ path, table: 'funding_rates', symbol: `${base}USDT`, rows: rows.map(([t, rate]) => [t!, rate!]) });
    else files.push({ path, table: 'candles', symbol: `${base}USDT`, interval: interval!, rows });
  }
  return files;
}

const seriesKey = (f: Pick<SeriesFile, 'table' | 'symbol' | 'interval'>) => `${f.table} ${f.symbol} ${f.interval ?? ''}`;
const timeColumn = (table: SeriesFile['table']) => (table === 'funding_rates' ? 'funding_time' : 'open_time');
// Funding settlements are stored on the whole second (Binance stamps them a few ms late).
const storedTime = (file: SeriesFile, t: number) => (file.table === 'funding_rates' ? Math.round(t / 1000) * 1000 : t);

describe('importing the real data in ../shared/data', () => {
  let dir: string;
  let store: Store;
  let files: SeriesFile[];
  let first: ImportReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xylen-import-'));
    store = await Store.open(join(dir, 'store.duckdb'));
    files = await sharedFiles();
    first = await importPaths(store, [SHARED_DATA], {});
  });
  afterAll(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports every data file, with the row count and time range the file has, and skips the README', () => {
    expect(first.rejected).toBe(0);
    expect(first.skipped.map((s) => s.path)).toEqual([join(SHARED_DATA, 'README.md')]);
    expect(first.files).toHaveLength(files.length);
    for (const file of files) {
      const result = first.files.find((r) => r.source === file.path)!;
      expect(result, file.path).toBeDefined();
      expect(result.status).toBe('imported');
      expect(result.market).toBe('usdm');
      expect(`${result.dataset} ${result.symbol} ${result.dataset === 'funding_rates' ? '' : result.interval}`).toBe(seriesKey(file));
      expect(result.rows, file.path).toBe(file.rows.length);
      expect(result.firstTime).toBe(storedTime(file, file.rows[0]![0]!));
      expect(result.lastTime).toBe(storedTime(file, file.rows.at(-1)![0]!));
    }
  });

  it('stores each series as the distinct union of its files (overlapping files merge without duplicates)', async () => {
    const expected = new Map<string, Set<number>>();
    for (const file of files) {
      const times = expected.get(seriesKey(file)) ?? new Set<number>();
      for (const row of file.rows) times.add(storedTime(file, row[0]!));
      expected.set(seriesKey(file), times);
    }
    for (const [key, times] of expected) {
      const [table, symbol, interval] = key.split(' ');
      const filter = table === 'funding_rates' ? '' : `AND interval = '${interval}'`;
      const [row] = await store.all(`SELECT count(*)::DOUBLE AS n, count(DISTINCT ${timeColumn(table as SeriesFile['table'])})::DOUBLE AS d FROM ${table} WHERE symbol = $1 ${filter}`, [symbol!]);
      expect(row!['n'], key).toBe(times.size);
      expect(row!['d'], key).toBe(times.size);
    }
  });

  it('stores the values of the first, a middle and the last row of every file', async () => {
    for (const file of files) {
      const value = file.table === 'funding_rates' ? 'rate' : 'open, high, low, close' + (file.table === 'candles' ? ', volume' : '');
      const width = file.table === 'funding_rates' ? 1 : file.table === 'candles' ? 5 : 4;
      for (const row of [file.rows[0]!, file.rows[Math.floor(file.rows.length / 2)]!, file.rows.at(-1)!]) {
        const filter = file.interval ? `AND interval = '${file.interval}'` : '';
        const stored = await store.all(
          `SELECT ${value} FROM ${file.table} WHERE market = 'usdm' AND symbol = $1 ${filter} AND ${timeColumn(file.table)} = $2`,
          [file.symbol, storedTime(file, row[0]!)],
        );
        expect(stored, `${file.path} at ${row[0]}`).toHaveLength(1);
        expect(Object.values(stored[0]!)).toEqual(row.slice(1, 1 + width));
      }
    }
  });

  it('changes nothing on a second import: every file unchanged, every table the same', async () => {
    const counts = async () =>
      store.all(`SELECT (SELECT count(*) FROM candles) AS c, (SELECT count(*) FROM mark_candles) AS m, (SELECT count(*) FROM funding_rates) AS f, (SELECT count(*) FROM imports) AS i`);
    const before = await counts();
    const again = await importPaths(store, [join(USDM, 'BTCUSDT'), FREQTRADE], {});
    expect(again.files.every((f) => f.status === 'unchanged')).toBe(true);
    expect(again.unchanged).toBe(again.files.length);
    expect(again.rowsAdded).toBe(0);
    expect(await counts()).toEqual(before);
  });
});

describe('overlapping files', () => {
  it('merge the two BTCUSDT 1h files into one row per distinct hour, in either order', async () => {
    const a = join(USDM, 'BTCUSDT/BTCUSDT-1h-2019-09-08_2026-05-17.csv');
    const b = join(USDM, 'BTCUSDT/BTCUSDT-1h-2023-01-01_2024-05-14.csv');
    const hours = new Set([...(await csvRows(a)), ...(await csvRows(b))].map((row) => row[0]));
    const dir = await mkdtemp(join(tmpdir(), 'xylen-import-'));
    const store = await Store.open(join(dir, 'store.duckdb'));
    try {
      const report = await importPaths(store, [b, a], {});
      expect(report.files.map((f) => f.status)).toEqual(['imported', 'imported']);
      expect(report.files[0]!.rowsAdded + report.files[1]!.rowsAdded).toBe(hours.size);
      const [row] = await store.all(`SELECT count(*)::DOUBLE AS n FROM candles WHERE interval = '1h'`);
      expect(row!['n']).toBe(hours.size);
    } finally {
      store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
