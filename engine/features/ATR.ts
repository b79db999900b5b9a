import type { CandleColumnsLike, CandleLike } from './CandleColumnsLike.ts';
import { EMA, ema } from './EMA.ts';
import { checkPeriod } from './SlidingWindow.ts';

/**
 * Average True Range with Wilder's smoothing (SMA-seeded, α = 1/period). The first bar's true range is its
 * high − low (no previous close), as in trading-signals, so the first ATR is at index period−1.
 */
export function atr(candles: Pick<CandleColumnsLike, 'length' | 'high' | 'low' | 'close'>, period = 14): Float64Array {
  checkPeriod(period, 'ATR period');
  const { high, low, close } = candles;
  const tr = new Float64Array(candles.length);
  for (let i = 0; i < candles.length; i++) tr[i] = trueRange(high[i]!, low[i]!, i === 0 ? NaN : close[i - 1]!);
  return ema(tr, period, 1 / period);
}

/** Incremental form of `atr`: identical values, one candle at a time. */
export class ATR {
  private readonly average: EMA;
  private previousClose = NaN;
  value = NaN;

  constructor(readonly period = 14) {
    checkPeriod(period, 'ATR period');
    this.average = new EMA(period, 1 / period);
  }

  update(candle: Pick<CandleLike, 'high' | 'low' | 'close'>): number {
    this.value = this.average.update(trueRange(candle.high, candle.low, this.previousClose));
    this.previousClose = candle.close;
    return this.value;
  }

  get isStable(): boolean {
    return this.average.isStable;
  }
}

/** max(high − low, |high − prevClose|, |low − prevClose|); just high − low when prevClose is NaN. */
export function trueRange(high: number, low: number, previousClose: number): number {
  const range = high - low;
  if (Number.isNaN(previousClose)) return range;
  return Math.max(range, Math.abs(high - previousClose), Math.abs(low - previousClose));
}
