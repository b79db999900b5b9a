import { SlidingWindow, checkPeriod, windowMean } from './SlidingWindow.ts';

/** Simple moving average; NaN for the first period-1 bars. */
export function sma(values: Float64Array, period: number): Float64Array {
  checkPeriod(period, 'SMA period');
  const out = new Float64Array(values.length).fill(NaN);
  for (let i = period - 1; i < values.length; i++) out[i] = windowMean(values, i, period);
  return out;
}

/** Incremental form of `sma`: identical values, one bar at a time. */
export class SMA {
  private readonly window: SlidingWindow;
  value = NaN;

  constructor(readonly period: number) {
    checkPeriod(period, 'SMA period');
    this.window = new SlidingWindow(period);
  }

  update(x: number): number {
    this.window.push(x);
    if (this.window.isFull) this.value = windowMean(this.window.values, this.period - 1, this.period);
    return this.value;
  }

  get isStable(): boolean {
    return this.window.isFull;
  }
}
