/** The deepest fall of an equity curve from a running peak, and how long it lasted. */
export interface Drawdown {
  /** As a positive fraction of the peak: 0.25 is a 25 % fall. 0 for a curve that never falls. */
  depth: number;
  /** Times (as given, Unix ms) of the peak, the trough, and the first time equity got back to the peak (null if never). */
  peakTs: number | null;
  troughTs: number | null;
  recoveryTs: number | null;
  /** Peak to recovery, or peak to the end of the curve when it has not recovered. */
  durationMs: number;
}

/** Max drawdown of `equity` sampled at `time` (same lengths, time ascending). */
export function maxDrawdown(time: ArrayLike<number>, equity: ArrayLike<number>): Drawdown {
  let peak = -Infinity;
  let peakAt = 0;
  let depth = 0;
  let worstPeakAt = -1;
  let troughAt = -1;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e >= peak) {
      peak = e;
      peakAt = i;
    } else if (peak > 0 && 1 - e / peak > depth) {
      depth = 1 - e / peak;
      worstPeakAt = peakAt;
      troughAt = i;
    }
  }
  if (worstPeakAt < 0) return { depth: 0, peakTs: null, troughTs: null, recoveryTs: null, durationMs: 0 };
  const peakValue = equity[worstPeakAt]!;
  let recoveredAt = -1;
  for (let i = troughAt + 1; i < equity.length && recoveredAt < 0; i++) if (equity[i]! >= peakValue) recoveredAt = i;
  const endAt = recoveredAt >= 0 ? recoveredAt : equity.length - 1;
  return {
    depth,
    peakTs: time[worstPeakAt]!,
    troughTs: time[troughAt]!,
    recoveryTs: recoveredAt >= 0 ? time[recoveredAt]! : null,
    durationMs: time[endAt]! - time[worstPeakAt]!,
  };
}
