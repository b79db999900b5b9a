import { SlidingWindow, checkPeriod } from './SlidingWindow.ts';

/** ln(close[t] / close[t − horizon]); NaN for the first `horizon` bars. */
export function logReturns(close: Float64Array, horizon: number): Float64Array {
  checkPeriod(horizon, 'return horizon');
  const out = new Float64Array(close.length).fill(NaN);
  for (let i = horizon; i < close.length; i++) out[i] = Math.log(close[i]! / close[i - horizon]!);
  return out;
}

/** Incremental form of `logReturns`: identical values, one close at a time. */
export class LogReturn {
  private readonly window: SlidingWindow;
  value = NaN;

  constructor(readonly horizon: number) {
    checkPeriod(horizon, 'return horizon');
    this.window = new SlidingWindow(horizon + 1);
  }

  update(close: number): number {
    this.window.push(close);
    if (this.window.isFull) this.value = Math.log(close / this.window.oldest);
    return this.value;
  }

  get isStable(): boolean {
    return this.window.isFull;
  }
}
