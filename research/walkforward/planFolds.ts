import { formatTime, inputError } from '../../engine/index.ts';

export interface FoldPlanRequest {
  /** Unix ms: the first training window starts at `from`; no test window reaches past `to`. */
  from: number;
  to: number;
  trainMs: number;
  testMs: number;
  /** How far each fold moves on (default: testMs, so the test windows tile the period). */
  stepMs?: number;
  /** Gap between the last training label and the test start (ms). */
  embargoMs: number;
  /** The decision interval: training data stops one decision bar before the embargo, see `Fold.trainTo`. */
  decisionMs: number;
}

/** One fold: train on [trainFrom, trainTo), then replay [testFrom, testTo) out of sample. */
export interface Fold {
  index: number;
  trainFrom: number;
  /**
   * End of the training data, exclusive: testFrom − embargo − one decision bar. Every candle loaded for training
   * then closes at or before trainTo, and a label is known only from candles it has, so every training label ends
   * strictly before testFrom − embargo: labels whose horizon reaches into the embargo or the test window are purged.
   */
  trainTo: number;
  testFrom: number;
  testTo: number;
}

/**
 * Walk-forward folds: training windows of `trainMs` ending where their test window of `testMs` starts, moved on by
 * `stepMs`. The last test window is cut at `to` (a fold whose test window would hold no decision is left out).
 */
export function planFolds(request: FoldPlanRequest): Fold[] {
  const { from, to, trainMs, testMs, embargoMs, decisionMs } = request;
  const stepMs = request.stepMs ?? testMs;
  for (const [name, value] of [
    ['--train', trainMs],
    ['--test', testMs],
    ['--step', stepMs],
  ] as const) {
    if (!(value >= decisionMs) || !Number.isFinite(value)) {
      throw inputError('BAD_WINDOW', `${name} must be at least one decision interval (${decisionMs / 60_000} min)`, { where: name });
    }
  }
  if (!(embargoMs >= 0)) throw inputError('BAD_WINDOW', `--embargo must be ≥ 0`, { where: '--embargo' });
  if (embargoMs + decisionMs >= trainMs) {
    throw inputError('BAD_WINDOW', `the embargo (${embargoMs / 3_600_000} h) leaves no training data in a ${trainMs / 86_400_000}-day window`, {
      where: '--embargo',
      hint: 'use a shorter --embargo or a longer --train',
    });
  }
  const folds: Fold[] = [];
  for (let index = 0; ; index++) {
    const trainFrom = from + index * stepMs;
    const testFrom = trainFrom + trainMs;
    const testTo = Math.min(testFrom + testMs, to);
    if (testTo - testFrom < decisionMs) break;
    folds.push({ index, trainFrom, trainTo: testFrom - embargoMs - decisionMs, testFrom, testTo });
  }
  if (folds.length === 0) {
    throw inputError('NO_FOLDS', `${formatTime(from)} → ${formatTime(to)} is too short for a ${trainMs / 86_400_000}-day training window followed by a test window`, {
      where: '--from/--to',
      hint: 'widen the range or shorten --train',
    });
  }
  return folds;
}
