import { inputError, type Rng } from '../../engine/index.ts';

/**
 * One resample of the stationary bootstrap (Politis & Romano 1994), as period indices: blocks of consecutive periods
 * that start at uniform random periods and have geometric lengths of mean `blockLength`, wrapping around the end.
 * Every bootstrap here draws its resamples with this, so the same seed draws the same blocks.
 */
export function stationaryResample(rng: Rng, blockLength: number, into: Int32Array): Int32Array {
  const periods = into.length;
  const restart = 1 / blockLength;
  let at = 0;
  for (let t = 0; t < periods; t++) {
    at = t === 0 || rng.next() < restart ? Math.floor(rng.next() * periods) : (at + 1) % periods;
    into[t] = at;
  }
  return into;
}

/** Quantile of sorted values with linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/** The options every bootstrap of a series of `periods` returns takes, checked with the error a caller can act on. */
export function checkBootstrapOptions(level: number, resamples: number, blockLength: number, periods: number): void {
  if (!(level > 0 && level < 1)) {
    throw inputError('BAD_LEVEL', `the confidence level must be between 0 and 1, got ${level}`, { where: 'level', hint: 'e.g. 0.95' });
  }
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw inputError('BAD_RESAMPLES', `the number of resamples must be an integer ≥ 100, got ${resamples}`, {
      where: 'resamples',
      hint: 'the tails of a 95 % interval need a few thousand; the default is 2000',
    });
  }
  if (!(blockLength >= 1 && blockLength <= periods)) {
    throw inputError('BAD_BLOCK_LENGTH', `the mean block length must be from 1 to ${periods} periods, got ${blockLength}`, {
      where: 'blockLength',
      hint: 'about √T periods is a common choice; 1 gives the iid bootstrap',
    });
  }
}
