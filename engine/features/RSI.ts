import { EMA, ema } from './EMA.ts';
import { checkPeriod } from './SlidingWindow.ts';

/**
 * Relative Strength Index with Wilder's smoothing: average gain and loss of the close-to-close changes, each
 * seeded with the SMA of the first `period` changes, then smoothed with α = 1/period. The first value is at
 * index `period` (it needs period changes). Matches trading-signals' RSI (WSMA smoothing), except when both
 * averages are 0 (a flat window): trading-signals says 100, we say 50, since nothing moved either way.
 */
export function rsi(close: Float64Array, period = 14): Float64Array {
  checkPeriod(period, 'RSI period');
  const n = close.length;
  const gain = new Float64Array(n);
  const loss = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const change = close[i]! - close[i - 1]!;
    if (change > 0) gain[i] = change;
    else loss[i] = -change;
  }
  const avgGain = ema(gain, period, 1 / period, 1);
  const avgLoss = ema(loss, period, 1 / period, 1);
  const out = new Float64Array(n).fill(NaN);
  for (let i = period; i < n; i++) out[i] = rsiOf(avgGain[i]!, avgLoss[i]!);
  return out;
}

/** Incremental form of `rsi`: identical values, one close at a time. */
export class RSI {
  private readonly avgGain: EMA;
  private readonly avgLoss: EMA;
  private previous = NaN;
  value = NaN;

  constructor(readonly period = 14) {
    checkPeriod(period, 'RSI period');
    this.avgGain = new EMA(period, 1 / period);
    this.avgLoss = new EMA(period, 1 / period);
  }

  update(close: number): number {
    if (!Number.isNaN(this.previous)) {
      const change = close - this.previous;
      this.avgGain.update(change > 0 ? change : 0);
      this.avgLoss.update(change > 0 ? 0 : -change);
      if (this.avgGain.isStable) this.value = rsiOf(this.avgGain.value, this.avgLoss.value);
    }
    this.previous = close;
    return this.value;
  }

  get isStable(): boolean {
    return this.avgGain.isStable;
  }
}

function rsiOf(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return avgGain === 0 ? 50 : 100;
  return 100 - 100 / (avgGain / avgLoss + 1);
}
