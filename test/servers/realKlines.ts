import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { intervalMs, type Interval } from '../../engine/index.ts';
import { SHARED_DATA } from '../paths.ts';

/** Real BTCUSDT perpetual candles, 2025-05-04 02:53 to 2025-06-03 (43,199 rows of 1m). */
export const BTCUSDT_1M_CSV = join(SHARED_DATA, 'binance-usdm/BTCUSDT/BTCUSDT-1m-2025-05-04_2025-06-03.csv');
/** Real BTCUSDT funding settlements 2019–2026, on the exact 8-hour marks. */
export const BTCUSDT_FUNDING_CSV = join(SHARED_DATA, 'binance-usdm/BTCUSDT/BTCUSDT-funding-2019-09-10_2026-05-17.csv');

/**
 * One kline as Binance sends it (REST and data.binance.vision use the same column order):
 * open time, open, high, low, close, volume, close time, quote volume, trades, taker-buy base,
 * taker-buy quote, ignore. Decimals are strings, times and counts numbers.
 */
export type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];

export interface FundingRow {
  symbol: string;
  fundingTime: number;
  fundingRate: string;
  /** Binance leaves it "" on old records. */
  markPrice: string;
}

/**
 * Read a shared `open_time,open,high,low,close,volume` CSV as 12-field klines. The first six fields
 * are the file's own text. The shared files lack the other columns, so they are DERIVED here, the
 * same way every time, to give servers complete rows: quote volume = volume × (high + low + close) / 3,
 * trades = round(volume × 20) + 1, taker-buy base = half the volume. Tests compare those fields
 * against these rows, never against Binance.
 */
export function readKlineRows(path: string, interval: Interval): KlineRow[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  if (lines[0]?.trim() !== 'open_time,open,high,low,close,volume') throw new Error(`${path}: unexpected header ${lines[0]}`);
  const step = intervalMs(interval);
  return lines.slice(1).map((line): KlineRow => {
    const [time, open, high, low, close, volume] = line.trim().split(',') as [string, string, string, string, string, string];
    const openTime = Number(time);
    const base = Number(volume);
    const typical = (Number(high) + Number(low) + Number(close)) / 3;
    const takerBuyBase = (base / 2).toFixed(3);
    return [
      openTime,
      open,
      high,
      low,
      close,
      volume,
      openTime + step - 1,
      (base * typical).toFixed(5),
      Math.round(base * 20) + 1,
      takerBuyBase,
      (Number(takerBuyBase) * typical).toFixed(5),
      '0',
    ];
  });
}

/**
 * Read a shared `funding_time,funding_rate` CSV; rates are written with 8 decimals as Binance does
 * (the file has some in exponent form). The mark price is not in the file: it is taken as
 * the open of the 1m kline starting at the settlement when `klines` has one, else "" as Binance
 * sends for records without it.
 */
export function readFundingRows(path: string, symbol: string, klines: readonly KlineRow[] = []): FundingRow[] {
  const opens = new Map(klines.map((k) => [k[0], k[1]]));
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  if (lines[0]?.trim() !== 'funding_time,funding_rate') throw new Error(`${path}: unexpected header ${lines[0]}`);
  return lines.slice(1).map((line) => {
    const [time, rate] = line.trim().split(',') as [string, string];
    const fundingTime = Number(time);
    return { symbol, fundingTime, fundingRate: Number(rate).toFixed(8), markPrice: opens.get(fundingTime) ?? '' };
  });
}
