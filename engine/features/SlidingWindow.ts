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

/**
 * `windowMean` and `windowStd` of every full window of `values` (those ending at n−1 … values.length−1) into
 * mean[end] and std[end]; the cells before stay as they are. The same sums in the same order as those two
 * functions, so the same bits, but four windows at a time: each sum is a chain of dependent additions, and four
 * independent chains keep the FPU busy while one waits for its last result (≈ 3× faster at n = 48).
 */
export function windowStats(values: Float64Array, n: number, mean: Float64Array, std: Float64Array): void {
  const last = values.length - 1;
  let end = n - 1;
  for (; end + 3 <= last; end += 4) {
    const from = end - n + 1;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = from; i <= end; i++) {
      s0 += values[i]!;
      s1 += values[i + 1]!;
      s2 += values[i + 2]!;
      s3 += values[i + 3]!;
    }
    const m0 = s0 / n;
    const m1 = s1 / n;
    const m2 = s2 / n;
    const m3 = s3 / n;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    for (let i = from; i <= end; i++) {
      const d0 = values[i]! - m0;
      const d1 = values[i + 1]! - m1;
      const d2 = values[i + 2]! - m2;
      const d3 = values[i + 3]! - m3;
      q0 += d0 * d0;
      q1 += d1 * d1;
      q2 += d2 * d2;
      q3 += d3 * d3;
    }
    mean[end] = m0;
    mean[end + 1] = m1;
    mean[end + 2] = m2;
    mean[end + 3] = m3;
    std[end] = Math.sqrt(q0 / n);
    std[end + 1] = Math.sqrt(q1 / n);
    std[end + 2] = Math.sqrt(q2 / n);
    std[end + 3] = Math.sqrt(q3 / n);
  }
  for (; end <= last; end++) {
    mean[end] = windowMean(values, end, n);
    std[end] = windowStd(values, end, n, mean[end]!);
  }
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
