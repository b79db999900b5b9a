import { SlidingWindow, checkPeriod, isFlat, windowMean, windowStats, windowStd } from './SlidingWindow.ts';

/**
 * Rolling z-score: (x − mean) / σ over the last `window` values including x (population σ); NaN for the first
 * window−1 bars, 0 when the window is flat (see `isFlat`): x is then the average, and a model input must stay finite.
 */
export function zScore(values: Float64Array, window: number): Float64Array {
  checkPeriod(window, 'z-score window');
  const out = new Float64Array(values.length).fill(NaN);
  const mean = new Float64Array(values.length);
  const std = new Float64Array(values.length);
  windowStats(values, window, mean, std);
  for (let i = window - 1; i < values.length; i++) out[i] = zOf(values[i]!, mean[i]!, std[i]!);
  return out;
}

/** Incremental form of `zScore`: identical values, one value at a time. */
export class ZScore {
  private readonly window: SlidingWindow;
  value = NaN;

  constructor(readonly size: number) {
    checkPeriod(size, 'z-score window');
    this.window = new SlidingWindow(size);
  }

  update(x: number): number {
    this.window.push(x);
    if (this.window.isFull) {
      const end = this.size - 1;
      const mean = windowMean(this.window.values, end, this.size);
      this.value = zOf(x, mean, windowStd(this.window.values, end, this.size, mean));
    }
    return this.value;
  }

  get isStable(): boolean {
    return this.window.isFull;
  }
}

function zOf(x: number, mean: number, std: number): number {
  return isFlat(std, mean) ? 0 : (x - mean) / std;
}
