import { basename } from 'node:path';
import { INTERVALS, inputError, isInterval } from '../../engine/index.ts';
import type { Market } from '../CandleColumns.ts';
import type { Dataset, ImportOptions } from './ImportResult.ts';
import type { ImportTarget } from './Stage.ts';

/** What a file's name and folders say about its contents; any of it may be missing. */
export interface NameFacts {
  symbol?: string;
  /** As written in the name; checked against the known intervals later. */
  interval?: string;
  dataset?: Dataset;
  market?: Market;
}

// BTCUSDT-1m-2024-01.csv, BTCUSDT-1m-2025-05-04_2025-06-03.csv, BTCUSDT-markprice-1h-….csv
const BINANCE_KLINES = /^([A-Z0-9]+)-(?:(markprice|markPriceKlines)-)?(\d+[a-zA-Z])(?:-[^.]*)?\.(?:csv|zip)$/;
// BTCUSDT-funding-2019-09-10_2026-05-17.csv, BTCUSDT-fundingRate-2024-01.zip
const BINANCE_FUNDING = /^([A-Z0-9]+)-(?:funding|fundingRate)(?:-[^.]*)?\.(?:csv|zip)$/;
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

/** A CSV's column layout, from its first line. */
export type CsvLayout = 'binance-klines' | 'ohlcv' | 'binance-funding' | 'funding';

export interface CsvShape {
  layout: CsvLayout;
  header: boolean;
}

const HEADERS: Record<string, CsvLayout> = {
  'open_time,open,high,low,close,volume': 'ohlcv',
  'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore': 'binance-klines',
  'calc_time,funding_interval_hours,last_funding_rate': 'binance-funding',
  'funding_time,funding_rate': 'funding',
};
const FIELD_COUNTS: Record<number, CsvLayout> = { 12: 'binance-klines', 6: 'ohlcv', 2: 'funding' };

/** The layout of a CSV from its first line, or why it is not one we know. */
export function csvShape(firstLine: string): CsvShape | string {
  const fields = firstLine.trim().split(',');
  const header = !/^-?\d/.test(fields[0] ?? '');
  const layout = header ? HEADERS[fields.map((f) => f.trim().toLowerCase()).join(',')] : FIELD_COUNTS[fields.length];
  if (layout) return { layout, header };
  return header
    ? `unknown CSV header "${firstLine.trim()}"`
    : `unknown CSV layout: ${fields.length} columns without a header`;
}

export const isFundingLayout = (layout: CsvLayout): boolean => layout === 'binance-funding' || layout === 'funding';

/**
 * Where an input's rows go: the file's name and folders say what they can, flags fill in the rest.
 * A flag that contradicts the name is an error rather than a silent choice.
 * Throws an input error saying what is missing or contradictory.
 */
export function resolveTarget(
  source: string,
  facts: NameFacts,
  contents: { dataset: Dataset; format: string },
  options: ImportOptions,
): ImportTarget {
  const fail = (message: string, hint?: string) => inputError('IMPORT_UNKNOWN_TARGET', message, { where: source, ...(hint ? { hint } : {}) });
  const dataset = contents.dataset === 'funding_rates' ? 'funding_rates' : (facts.dataset ?? contents.dataset);
  if ((facts.dataset === 'funding_rates') !== (dataset === 'funding_rates')) {
    throw fail(`the name says ${facts.dataset === 'funding_rates' ? 'funding rates' : 'candles'} but the columns hold ${dataset === 'funding_rates' ? 'funding rates' : 'candles'}`);
  }
  const pick = (what: 'symbol' | 'market' | 'interval', fromName: string | undefined, fromFlag: string | undefined) => {
    if (fromName !== undefined && fromFlag !== undefined && fromName !== fromFlag) {
      throw fail(`the file name says ${what} ${fromName} but --${what} says ${fromFlag}`, `import this file without --${what}`);
    }
    return fromName ?? fromFlag;
  };

  const symbol = pick('symbol', facts.symbol, options.symbol);
  if (symbol === undefined) throw fail('cannot tell the symbol from the file name', 'pass --symbol, e.g. --symbol BTCUSDT');
  const market = (pick('market', facts.market, options.market) ?? options.defaultMarket ?? 'usdm') as Market;
  const target: ImportTarget = { dataset, market, symbol, source, format: contents.format };
  if (dataset === 'funding_rates') return target;

  const interval = pick('interval', facts.interval, options.interval);
  if (interval === undefined) throw fail('cannot tell the candle interval from the file name', 'pass --interval, e.g. --interval 1m');
  if (!isInterval(interval)) throw fail(`unsupported candle interval "${interval}"`, `Xylen knows ${INTERVALS.join(', ')}`);
  return { ...target, interval };
}
