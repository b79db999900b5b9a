import { checkPeriod } from './SlidingWindow.ts';

/**
 * Exponential moving average, seeded with the SMA of its first `period` values (TA-Lib's convention) and then
 * `x·α + prev·(1−α)`. The first value is at index start+period−1; earlier outputs are NaN.
 *
 * `alpha` defaults to 2/(period+1); alpha = 1/period gives Wilder's smoothing (RMA/SMMA), used by RSI and ATR.
 * `start` is the index of the first valid input, for series that have their own warm-up (the MACD line).
 *
 * trading-signals' EMA seeds with the first value instead; the two differ at the seed by d₀ and afterwards by
 * exactly d₀·(1−α)^k, k bars later, so they agree to 1e-12 after a few hundred bars (see the reference test).
 */
export function ema(values: Float64Array, period: number, alpha = 2 / (period + 1), start = 0): Float64Array {
  checkPeriod(period, 'EMA period');
  const n = values.length;
  const out = new Float64Array(n).fill(NaN);
  const seedAt = start + period - 1;
  if (seedAt >= n) return out;
  let sum = 0;
  for (let i = start; i <= seedAt; i++) sum += values[i]!;
  let prev = sum / period;
  out[seedAt] = prev;
  const keep = 1 - alpha;
  for (let i = seedAt + 1; i < n; i++) {
    prev = values[i]! * alpha + prev * keep;
    out[i] = prev;
  }
  return out;
}

/** Incremental form of `ema`: identical values, one bar at a time. Feed it only from the first valid input. */
export class EMA {
  private readonly alpha: number;
  private readonly keep: number;
  private count = 0;
  private sum = 0;
  value = NaN;

  constructor(
    readonly period: number,
    alpha = 2 / (period + 1),
  ) {
    checkPeriod(period, 'EMA period');
    this.alpha = alpha;
    this.keep = 1 - alpha;
  }

  update(x: number): number {
    this.count++;
    if (this.count < this.period) {
      this.sum += x;
    } else if (this.count === this.period) {
      this.sum += x;
      this.value = this.sum / this.period;
    } else {
      this.value = x * this.alpha + this.value * this.keep;
    }
    return this.value;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}
