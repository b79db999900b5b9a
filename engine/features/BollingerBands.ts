import { SlidingWindow, checkPeriod, isFlat, windowMean, windowStats, windowStd } from './SlidingWindow.ts';

export interface BollingerColumns {
  middle: Float64Array;
  upper: Float64Array;
  lower: Float64Array;
  /** (close − lower) / (upper − lower); 0.5 when the window is flat (`isFlat`), as trading-signals' PercentB does for σ = 0. */
  percentB: Float64Array;
  /** (upper − lower) / middle, as trading-signals' BollingerBandsWidth. */
  width: Float64Array;
}

/**
 * Bollinger Bands: SMA(period) ± k·σ with the population standard deviation of the same window, as Bollinger
 * and trading-signals define it. First value at index period−1.
 */
export function bollingerBands(close: Float64Array, period = 20, k = 2): BollingerColumns {
  checkPeriod(period, 'Bollinger period');
  const n = close.length;
  const out: BollingerColumns = {
    middle: new Float64Array(n).fill(NaN),
    upper: new Float64Array(n).fill(NaN),
    lower: new Float64Array(n).fill(NaN),
    percentB: new Float64Array(n).fill(NaN),
    width: new Float64Array(n).fill(NaN),
  };
  const stds = new Float64Array(n);
  windowStats(close, period, out.middle, stds);
  for (let i = period - 1; i < n; i++) {
    const middle = out.middle[i]!;
    const std = stds[i]!;
    const upper = middle + std * k;
    const lower = middle - std * k;
    out.upper[i] = upper;
    out.lower[i] = lower;
    out.percentB[i] = isFlat(std, middle) ? 0.5 : (close[i]! - lower) / (upper - lower);
    out.width[i] = (upper - lower) / middle;
  }
  return out;
}

/** Incremental form of `bollingerBands`: identical values, one close at a time. */
export class BollingerBands {
  private readonly window: SlidingWindow;
  middle = NaN;
  upper = NaN;
  lower = NaN;
  percentB = NaN;
  width = NaN;

  constructor(
    readonly period = 20,
    readonly k = 2,
  ) {
    checkPeriod(period, 'Bollinger period');
    this.window = new SlidingWindow(period);
  }

  update(close: number): void {
    this.window.push(close);
    if (!this.window.isFull) return;
    const end = this.period - 1;
    this.middle = windowMean(this.window.values, end, this.period);
    const std = windowStd(this.window.values, end, this.period, this.middle);
    this.upper = this.middle + std * this.k;
    this.lower = this.middle - std * this.k;
    this.percentB = isFlat(std, this.middle) ? 0.5 : (close - this.lower) / (this.upper - this.lower);
    this.width = (this.upper - this.lower) / this.middle;
  }

  get isStable(): boolean {
    return this.window.isFull;
  }
}
