import { EMA, ema } from './EMA.ts';

export interface MacdColumns {
  line: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

/**
 * MACD: line = EMA(fast) − EMA(slow), signal = EMA(signalPeriod) of the line, histogram = line − signal. The
 * EMAs are SMA-seeded (see `ema`), so the line starts at index slow−1 and the signal and histogram at
 * slow+signalPeriod−2 (33 for 12/26/9). trading-signals emits a signal from the line's first bar, seeded with
 * that first line value; the values converge as for EMA.
 */
export function macd(close: Float64Array, fast = 12, slow = 26, signalPeriod = 9): MacdColumns {
  const fastEma = ema(close, fast);
  const slowEma = ema(close, slow);
  const n = close.length;
  const line = new Float64Array(n);
  for (let i = 0; i < n; i++) line[i] = fastEma[i]! - slowEma[i]!;
  const signal = ema(line, signalPeriod, 2 / (signalPeriod + 1), Math.max(fast, slow) - 1);
  const histogram = new Float64Array(n);
  for (let i = 0; i < n; i++) histogram[i] = line[i]! - signal[i]!;
  return { line, signal, histogram };
}

/** Incremental form of `macd`: identical values, one close at a time. */
export class MACD {
  private readonly fast: EMA;
  private readonly slow: EMA;
  private readonly signalEma: EMA;
  line = NaN;
  signal = NaN;
  histogram = NaN;

  constructor(fast = 12, slow = 26, signalPeriod = 9) {
    this.fast = new EMA(fast);
    this.slow = new EMA(slow);
    this.signalEma = new EMA(signalPeriod);
  }

  update(close: number): void {
    this.line = this.fast.update(close) - this.slow.update(close);
    if (Number.isNaN(this.line)) return;
    this.signal = this.signalEma.update(this.line);
    this.histogram = this.line - this.signal;
  }

  get isStable(): boolean {
    return this.signalEma.isStable;
  }
}
