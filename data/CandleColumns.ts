import type { Interval } from '../engine/index.ts';

/** Which market a series comes from. 'synthetic' is made by `xylen data synth` and never mistaken for market data. */
export type Market = 'usdm' | 'spot' | 'synthetic';
export const MARKETS: readonly Market[] = ['usdm', 'spot', 'synthetic'];

/** Identifies one candle series in the store. */
export interface SeriesKey {
  market: Market;
  symbol: string;
  interval: Interval;
}

/**
 * Candles as columns (struct of arrays): what importers stage, what the loader returns and what the
 * engine's hot loops read. Times are Unix ms of the candle *open*, exact integers in a float64.
 * Optional columns are absent when the source lacks them (plain OHLCV files have no trade counts).
 */
export interface CandleColumns {
  length: number;
  openTime: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  quoteVolume?: Float64Array;
  trades?: Float64Array;
  takerBuyBase?: Float64Array;
  takerBuyQuote?: Float64Array;
}

/** Candles `start … end` (row indices) as views of the same columns. */
export function sliceCandles(candles: CandleColumns, start: number, end: number): CandleColumns {
  const slice = (column: Float64Array | undefined) => column?.subarray(start, end);
  return {
    length: end - start,
    openTime: candles.openTime.subarray(start, end),
    open: candles.open.subarray(start, end),
    high: candles.high.subarray(start, end),
    low: candles.low.subarray(start, end),
    close: candles.close.subarray(start, end),
    volume: candles.volume.subarray(start, end),
    quoteVolume: slice(candles.quoteVolume),
    trades: slice(candles.trades),
    takerBuyBase: slice(candles.takerBuyBase),
    takerBuyQuote: slice(candles.takerBuyQuote),
  };
}

/** Funding-rate settlements as columns. */
export interface FundingColumns {
  length: number;
  fundingTime: Float64Array;
  rate: Float64Array;
  markPrice?: Float64Array;
}
