/**
 * The last `size` values of a stream, oldest first, plus the window statistics shared by the batch and the
 * incremental indicators. Both forms call `windowMean`/`windowStd` on a contiguous slice with the same
 * summation order, so their results are identical to the last bit. The window is re-summed on every bar
 * rather than kept as a running sum: a running sum drifts (it never forgets rounding errors) and a running
 * sum of squares cancels catastrophically at BTC prices; windows here are ≤ 50 values, so re-summing is cheap.
 */
export class SlidingWindow {
  readonly values: Float64Array;
  private count = 0;

  constructor(readonly size: number) {
    checkPeriod(size, 'window size');
    this.values = new Float64Array(size);
  }

  push(value: number): void {
    if (this.count < this.size) {
      this.values[this.count++] = value;
      return;
    }
    this.values.copyWithin(0, 1);
    this.values[this.size - 1] = value;
  }

  get isFull(): boolean {
    return this.count === this.size;
  }

  get oldest(): number {
    return this.values[0]!;
  }

  get newest(): number {
    return this.values[this.count - 1]!;
  }
}

/** Mean of values[end-n+1 .. end], summed oldest first (the order trading-signals' getAverage uses). */
export function windowMean(values: Float64Array, end: number, n: number): number {
  let sum = 0;
  for (let i = end - n + 1; i <= end; i++) sum += values[i]!;
  return sum / n;
}

/** Population standard deviation (divided by n, as Bollinger defined it) of values[end-n+1 .. end]. */
export function windowStd(values: Float64Array, end: number, n: number, mean: number): number {
  let sum = 0;
  for (let i = end - n + 1; i <= end; i++) {
    const d = values[i]! - mean;
    sum += d * d;
  }
  return Math.sqrt(sum / n);
}

export function checkPeriod(period: number, what: string): void {
  if (!Number.isSafeInteger(period) || period < 1) throw new RangeError(`${what} must be a positive integer, got ${period}`);
}

/**
 * A window of equal values can still show σ ≈ 1e-16·mean, because summing n copies of x and dividing by n need
 * not give back x exactly; dividing by that σ would turn rounding noise into a large feature. So σ at or below
 * 1e-12 of the mean counts as flat (and σ = 0 always does).
 */
export function isFlat(std: number, mean: number): boolean {
  return std <= Math.abs(mean) * 1e-12;
}
