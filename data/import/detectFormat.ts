import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { INTERVALS, inputError, isInterval } from '../../engine/index.ts';
import { MARKETS, type Market } from '../CandleColumns.ts';
import type { Dataset, ImportOptions, ImportProblem } from './ImportResult.ts';
import { attachStaging, newStageName, type ImportTarget } from './Stage.ts';

/** What a file's name and folders say about its contents; any of it may be missing. */
export interface NameFacts {
  symbol?: string;
  /** As written in the name; checked against the known intervals later. */
  interval?: string;
  dataset?: Dataset;
  market?: Market;
}

// BTCUSDT-1m-2024-01.csv, BTCUSDT-1m-2025-05-04_2025-06-03.csv, BTCUSDT-markprice-1h-….csv
const BINANCE_KLINES = /^([A-Z0-9]+)-(?:(markprice|markPriceKlines)-)?(\d+[a-zA-Z])(?:-[^.]*)?\.(?:csv|zip|parquet)$/;
// BTCUSDT-funding-2019-09-10_2026-05-17.csv, BTCUSDT-fundingRate-2024-01.zip
const BINANCE_FUNDING = /^([A-Z0-9]+)-(?:funding|fundingRate)(?:-[^.]*)?\.(?:csv|zip|parquet)$/;
// BTC_USDT_USDT-1m-futures.feather, BTC_USDT_USDT-8h-funding_rate.feather, BTC_USDT-1m.json (spot)
const FREQTRADE = /^([A-Z0-9]+)_([A-Z0-9]+)(_[A-Z0-9]+)?-(\d+[a-zA-Z])(?:-(futures|mark|funding_rate|spot))?\.(?:feather|json)$/;

export function factsFromPath(path: string): NameFacts {
  const name = basename(path);
  const folders = path.replaceAll('\\', '/');
  const facts: NameFacts = {};
  if (/\/futures\/um\//.test(folders)) facts.market = 'usdm';
  else if (/(^|\/)spot\//.test(folders)) facts.market = 'spot';
  if (/(^|\/)markPriceKlines\//.test(folders)) facts.dataset = 'mark_candles';
  if (/(^|\/)fundingRate\//.test(folders)) facts.dataset = 'funding_rates';

  let match = BINANCE_FUNDING.exec(name);
  if (match) return { ...facts, symbol: match[1]!, dataset: 'funding_rates' };
  match = BINANCE_KLINES.exec(name);
  if (match) {
    return { ...facts, symbol: match[1]!, interval: match[3]!, ...(match[2] ? { dataset: 'mark_candles' as const } : {}) };
  }
  match = FREQTRADE.exec(name);
  if (match) {
    const [, base, quote, settle, interval, kind] = match;
    const dataset = kind === 'mark' ? 'mark_candles' : kind === 'funding_rate' ? 'funding_rates' : 'candles';
    // freqtrade names futures pairs BASE_QUOTE_SETTLE and spot pairs BASE_QUOTE.
    return { ...facts, symbol: `${base}${quote}`, interval: interval!, dataset, market: settle || kind === 'futures' ? 'usdm' : 'spot' };
  }
  return facts;
}

/**
 * A file's column layout, from a CSV's first line or a Parquet file's column names. The `xylen-…`
 * layouts are what `xylen data export` writes: the plain ones plus the optional columns and a
 * `market` column, which says which market the rows belong to.
 */
export type CsvLayout = 'binance-klines' | 'ohlcv' | 'binance-funding' | 'funding' | 'xylen-candles' | 'xylen-mark' | 'xylen-funding';

export interface CsvShape {
  layout: CsvLayout;
  header: boolean;
}

const HEADERS: Record<string, CsvLayout> = {
  'open_time,open,high,low,close,volume': 'ohlcv',
  'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore': 'binance-klines',
  'calc_time,funding_interval_hours,last_funding_rate': 'binance-funding',
  'funding_time,funding_rate': 'funding',
  'open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_base,taker_buy_quote,market': 'xylen-candles',
  'open_time,open,high,low,close,market': 'xylen-mark',
  'funding_time,funding_rate,mark_price,market': 'xylen-funding',
};
const FIELD_COUNTS: Record<number, CsvLayout> = { 12: 'binance-klines', 6: 'ohlcv', 2: 'funding' };

/** The layout named by a header's column names (any case), if it is one we know. */
export function layoutFromColumns(names: string[]): CsvLayout | undefined {
  return HEADERS[names.map((name) => name.trim().toLowerCase()).join(',')];
}

/** The layout of a CSV from its first line, or why it is not one we know. */
export function csvShape(firstLine: string): CsvShape | string {
  const fields = firstLine.trim().split(',');
  const header = !/^-?\d/.test(fields[0] ?? '');
  const layout = header ? layoutFromColumns(fields) : FIELD_COUNTS[fields.length];
  if (layout) return { layout, header };
  return header ? unknownHeader(firstLine.trim()) : `unknown CSV layout: ${fields.length} columns without a header`;
}

/** What is wrong with a first line we do not know, without echoing bytes that could garble a terminal. */
function unknownHeader(line: string): string {
  // Control characters, or the replacement character UTF-8 decoding leaves for bytes that are not text.
  if (/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(line)) return 'not a CSV file: its first line is not text (a binary file?)';
  const shown = line.length > 120 ? `${line.slice(0, 120)}…` : line;
  return `unknown CSV header "${shown}"`;
}

/** The table a layout's rows go to unless the file's name says mark prices. */
export function layoutDataset(layout: CsvLayout): Dataset {
  if (layout === 'binance-funding' || layout === 'funding' || layout === 'xylen-funding') return 'funding_rates';
  // Open, high, low and close without volume: only mark-price candles look like that.
  return layout === 'xylen-mark' ? 'mark_candles' : 'candles';
}

/** Layouts whose rows carry their market in a `market` column. */
export const hasMarketColumn = (layout: CsvLayout): boolean => layout.startsWith('xylen-');

/**
 * The one market named by the `market` column of `relation` (a DuckDB table function reading the
 * file), or the problems with it: an empty or unknown market, or rows of several markets (a file
 * of one series holds one market; guessing would label synthetic rows as market data or the
 * reverse). Lines are `firstLine` + row index, as in a stage.
 */
export async function marketColumn(connection: DuckDBConnection, relation: string, firstLine: number): Promise<Market | ImportProblem[]> {
  await attachStaging(connection);
  const table = newStageName();
  // A table keeps the rows in file order, so a row id gives the line (as a stage's does).
  await connection.run(`CREATE TABLE ${table} AS SELECT market::VARCHAR AS market FROM ${relation}`);
  try {
    const reader = await connection.runAndReadAll(
      `SELECT market, (min(rowid) + ${firstLine})::DOUBLE AS line FROM ${table} GROUP BY market ORDER BY line LIMIT 5`,
    );
    const seen = reader.getRowObjects().map((row) => ({ market: row['market'] as string | null, line: row['line'] as number }));
    const bad = seen.find((s) => s.market === null || !(MARKETS as readonly (string | null)[]).includes(s.market));
    if (bad) {
      const message = bad.market === null ? 'the market column is empty' : `unknown market "${bad.market}" in the market column`;
      return [{ line: bad.line, message: `${message} (Xylen's markets: ${MARKETS.join(', ')})` }];
    }
    const [first, second] = seen;
    if (first === undefined) return [{ message: 'empty file: no data rows' }];
    if (second !== undefined) {
      return [{ line: second.line, message: `market ${second.market}, but line ${first.line} says ${first.market}: a file holds one market's rows (export each market to its own file)` }];
    }
    return first.market as Market;
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

/**
 * Where an input's rows go: the file's name and folders say what they can, flags fill in the rest.
 * A market column (`contents.market`) is the rows' own word and outranks both.
 * A flag that contradicts the name, or a name or flag that contradicts the column, is an error rather than a silent choice.
 * Throws an input error saying what is missing or contradictory.
 */
export function resolveTarget(
  source: string,
  facts: NameFacts,
  contents: { dataset: Dataset; format: string; market?: Market },
  options: ImportOptions,
): ImportTarget {
  const fail = (message: string, hint?: string) => inputError('IMPORT_UNKNOWN_TARGET', message, { where: source, ...(hint ? { hint } : {}) });
  const isFunding = (d: Dataset | undefined) => d === 'funding_rates';
  // A name that says nothing (funding.csv from `xylen data export`) leaves it to the columns.
  if (facts.dataset !== undefined && isFunding(facts.dataset) !== isFunding(contents.dataset)) {
    throw fail(`the name says ${isFunding(facts.dataset) ? 'funding rates' : 'candles'} but the columns hold ${isFunding(contents.dataset) ? 'funding rates' : 'candles'}`);
  }
  const dataset = isFunding(contents.dataset) ? 'funding_rates' : (facts.dataset ?? contents.dataset);
  const pick = (what: 'symbol' | 'market' | 'interval', fromName: string | undefined, fromFlag: string | undefined) => {
    if (fromName !== undefined && fromFlag !== undefined && fromName !== fromFlag) {
      throw fail(`the file name says ${what} ${fromName} but --${what} says ${fromFlag}`, `import this file without --${what}`);
    }
    return fromName ?? fromFlag;
  };

  const symbol = pick('symbol', facts.symbol, options.symbol);
  if (symbol === undefined) throw fail('cannot tell the symbol from the file name', 'pass --symbol, e.g. --symbol BTCUSDT');
  const named = pick('market', facts.market, options.market);
  if (contents.market !== undefined && named !== undefined && named !== contents.market) {
    const by = facts.market === undefined ? '--market' : 'the path';
    throw fail(`the market column says ${contents.market} but ${by} says ${named}`, by === '--market' ? 'import this file without --market' : 'move the file out of that folder');
  }
  const market = (contents.market ?? named ?? options.defaultMarket ?? 'usdm') as Market;
  const target: ImportTarget = { dataset, market, symbol, source, format: contents.format };
  if (dataset === 'funding_rates') return target;

  const interval = pick('interval', facts.interval, options.interval);
  if (interval === undefined) throw fail('cannot tell the candle interval from the file name', 'pass --interval, e.g. --interval 1m');
  if (!isInterval(interval)) throw fail(`unsupported candle interval "${interval}"`, `Xylen knows ${INTERVALS.join(', ')}`);
  return { ...target, interval };
}
