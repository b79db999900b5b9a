import type { Store } from '../../../../data/index.ts';
import { periodReturns, YEAR_MS } from '../../../../research/index.ts';

export interface AlignedReturns {
  /** Returns of each run over the same periods (the heartbeats both runs have), oldest first. */
  a: Float64Array;
  b: Float64Array;
  /** Length of one period (ms), and periods per year for annualising. */
  periodMs: number;
  perYear: number;
  /** Heartbeats the two runs share. */
  common: number;
}

/**
 * Two runs' equity at the heartbeats both have, as period returns. Long runs are coarsened in SQL to at most
 * `maxPeriods` periods (each the last equity of a whole number of decision bars), which keeps a bootstrap over them
 * to a fraction of a second; the Sharpe ratios are annualised for the period used.
 */
export async function alignedReturns(store: Store, runA: string, runB: string, barMs: number, maxPeriods = 4000): Promise<AlignedReturns> {
  const join = `FROM equity a JOIN equity b ON a.ts = b.ts WHERE a.run_id = $1 AND b.run_id = $2`;
  const [span] = await store.all(`SELECT count(*)::DOUBLE AS n, min(a.ts)::DOUBLE AS t0 ${join}`, [runA, runB]);
  const common = Number(span?.['n'] ?? 0);
  const t0 = Number(span?.['t0'] ?? 0);
  const periodMs = barMs * Math.max(1, Math.ceil(common / maxPeriods));
  const rows =
    common === 0
      ? []
      : await store.all(
          `SELECT floor((a.ts - $3::BIGINT) / $4::DOUBLE) AS p, arg_max(a.equity, a.ts) AS ea, arg_max(b.equity, b.ts) AS eb ${join} GROUP BY p ORDER BY p`,
          [runA, runB, t0, periodMs],
        );
  return {
    a: periodReturns(rows.map((r) => Number(r['ea']))),
    b: periodReturns(rows.map((r) => Number(r['eb']))),
    periodMs,
    perYear: YEAR_MS / periodMs,
    common,
  };
}
