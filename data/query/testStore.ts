import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DATA } from '../../test/paths.ts';
import { Store } from '../Store.ts';

/** Test support: temp stores that are removed after each test, and the real CSVs loaded straight into them. */
export class TempStores {
  private readonly dirs: string[] = [];
  private readonly stores: Store[] = [];

  /** A fresh path in a fresh temp directory (no file yet). */
  path(): string {
    const dir = mkdtempSync(join(tmpdir(), 'xylen-query-'));
    this.dirs.push(dir);
    return join(dir, 'store.duckdb');
  }

  async open(path = this.path()): Promise<Store> {
    const store = await Store.open(path);
    this.stores.push(store);
    return store;
  }

  cleanup(): void {
    for (const store of this.stores.splice(0)) store.close();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A file of ../shared/data/binance-usdm, e.g. `realFile('BTCUSDT', 'BTCUSDT-1m-2025-05-04_2025-06-03.csv')`. */
export function realFile(symbol: string, name: string): string {
  return join(SHARED_DATA, 'binance-usdm', symbol, name);
}

/** Insert a real klines CSV (`open_time,open,high,low,close,volume`) as candles, or as mark-price candles. */
export async function insertRealCandles(
  store: Store,
  file: string,
  key: { market: string; symbol: string; interval: string },
  table: 'candles' | 'mark_candles' = 'candles',
): Promise<void> {
  const volume = table === 'candles' ? ', volume' : '';
  await store.connection.run(
    `INSERT INTO ${table} (market, symbol, interval, open_time, open, high, low, close${volume})
     SELECT $1, $2, $3, open_time, open, high, low, close${volume} FROM read_csv($4)`,
    [key.market, key.symbol, key.interval, file],
  );
}

/** Insert a real funding CSV (`funding_time,funding_rate`). */
export async function insertRealFunding(store: Store, file: string, key: { market: string; symbol: string }): Promise<void> {
  await store.connection.run(
    `INSERT INTO funding_rates (market, symbol, funding_time, rate) SELECT $1, $2, funding_time, funding_rate FROM read_csv($3)`,
    [key.market, key.symbol, file],
  );
}

/** A candle row as tests write it; optional columns default to NULL. */
export interface TestCandle {
  market: string;
  symbol: string;
  interval: string;
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume?: number;
  trades?: number;
  takerBuyBase?: number;
  takerBuyQuote?: number;
}

/** Append rows to `candles` with DuckDB's appender (fast enough for property tests). */
export async function appendCandles(store: Store, rows: readonly TestCandle[]): Promise<void> {
  const appender = await store.connection.createAppender('candles');
  const optionalDouble = (value: number | undefined) => (value === undefined ? appender.appendNull() : appender.appendDouble(value));
  for (const row of rows) {
    appender.appendVarchar(row.market);
    appender.appendVarchar(row.symbol);
    appender.appendVarchar(row.interval);
    appender.appendBigInt(BigInt(row.openTime));
    for (const value of [row.open, row.high, row.low, row.close, row.volume]) appender.appendDouble(value);
    optionalDouble(row.quoteVolume);
    if (row.trades === undefined) appender.appendNull();
    else appender.appendBigInt(BigInt(row.trades));
    optionalDouble(row.takerBuyBase);
    optionalDouble(row.takerBuyQuote);
    appender.endRow();
  }
  appender.closeSync();
}
