import type { Store } from '../../data/index.ts';

const HOUR = 3_600_000;

/**
 * A stored run's equity sampled at the end of every UTC hour (its last journaled value in the hour; a mark at
 * exactly hh:00 closes the hour before), as simple returns from `startEquity`. Runs over the same decision grid
 * give aligned series, which is what a paired comparison needs. One SQL aggregation over the journal.
 */
export async function hourlyReturns(store: Store, runId: string, startEquity: number): Promise<Float64Array> {
  const rows = await store.all(
    `SELECT floor((ts - 1) / ${HOUR}) AS hour, arg_max(equity, seq) AS equity FROM equity WHERE run_id = $1 GROUP BY hour ORDER BY hour`,
    [runId],
  );
  const out = new Float64Array(rows.length);
  let previous = startEquity;
  rows.forEach((row, i) => {
    const equity = Number(row['equity']);
    out[i] = equity / previous - 1;
    previous = equity;
  });
  return out;
}

/** Periods per year of hourly returns (365-day years, as every Xylen ratio). */
export const HOURS_PER_YEAR = 365 * 24;
