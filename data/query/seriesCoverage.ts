import type { DuckDBValue } from '@duckdb/node-api';
import { INTERVAL_MS } from '../../engine/index.ts';
import type { Store } from '../Store.ts';
import { SERIES_TABLE, type SeriesKind } from './SeriesKind.ts';

/** A run of missing rows: the open times of the first and last missing one (inclusive), and how many. */
export interface Gap {
  from: number;
  to: number;
  missing: number;
}

export interface SeriesCoverage {
  kind: SeriesKind;
  market: string;
  symbol: string;
  /** The candle interval; '8h' for funding, the spacing Binance settles at. */
  interval: string;
  first: number;
  last: number;
  rows: number;
  /** Rows a gap-free series from `first` to `last` would have; null for an interval Xylen does not know. */
  expectedRows: number | null;
  missing: number;
  gaps: Gap[];
}

export interface CoverageFilter {
  market?: string;
  symbol?: string;
  interval?: string;
}

const FUNDING_STEP = INTERVAL_MS['8h'];
/** Binance stamps settlements a few milliseconds late; anything within a minute of the 8h mark is on time. */
const FUNDING_TOLERANCE = 60_000;

/**
 * What the store holds, per series of candles, mark-price candles and funding rates: first and last
 * time, rows, expected rows and the gaps, all computed in SQL with a lead() window so no row
 * reaches JavaScript.
 */
export async function seriesCoverage(store: Store, filter: CoverageFilter = {}): Promise<SeriesCoverage[]> {
  const result: SeriesCoverage[] = [];
  for (const kind of ['candles', 'mark', 'funding'] as const) result.push(...(await coverageOf(store, kind, filter)));
  return result;
}

async function coverageOf(store: Store, kind: SeriesKind, filter: CoverageFilter): Promise<SeriesCoverage[]> {
  const conditions: string[] = [];
  const params: DuckDBValue[] = [];
  for (const [column, value] of [['market', filter.market], ['symbol', filter.symbol], ['interval', filter.interval]] as const) {
    if (value === undefined) continue;
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const steps = Object.entries(INTERVAL_MS)
    .map(([name, ms]) => `('${name}', ${ms})`)
    .join(', ');
  // Funding has no interval column: present it as an 8h series and let a filter on interval apply to it too.
  const source =
    kind === 'funding'
      ? `SELECT market, symbol, '8h' AS interval, funding_time AS t, ${FUNDING_STEP}::BIGINT AS step FROM ${SERIES_TABLE.funding}`
      : `SELECT market, symbol, interval, open_time AS t, steps.step FROM ${SERIES_TABLE[kind]} LEFT JOIN (VALUES ${steps}) steps(name, step) ON steps.name = interval`;
  // Funding times jitter by milliseconds, so a step is "one" when it rounds to one.
  const tolerance = kind === 'funding' ? FUNDING_TOLERANCE : 0;
  const stepsBetween = (a: string, b: string) => (kind === 'funding' ? `round((${b} - ${a}) / step)::BIGINT` : `(${b} - ${a}) // step`);
  const rows = await store.all(
    `WITH spaced AS (
       SELECT *, lead(t) OVER (PARTITION BY market, symbol, interval ORDER BY t) AS next
       FROM (${source}) ${where}
     )
     SELECT market, symbol, interval, min(t) AS first, max(t) AS last, count(*) AS rows,
            step,
            ${stepsBetween('min(t)', 'max(t)')} + 1 AS expected,
            coalesce(list({'from': t + step, 'to': next - step, 'missing': ${stepsBetween('t', 'next')} - 1} ORDER BY t)
              FILTER (WHERE next - t > step + ${tolerance}), []) AS gaps
     FROM spaced
     GROUP BY market, symbol, interval, step
     ORDER BY market, symbol, interval`,
    params,
  );
  return rows
    .map((row) => {
      const gaps = (row['gaps'] as { items: { entries: Record<string, bigint> }[] }).items.map(({ entries }) => ({
        from: Number(entries['from']),
        to: Number(entries['to']),
        missing: Number(entries['missing']),
      }));
      return {
        kind,
        market: String(row['market']),
        symbol: String(row['symbol']),
        interval: String(row['interval']),
        first: Number(row['first']),
        last: Number(row['last']),
        rows: Number(row['rows']),
        expectedRows: row['step'] === null ? null : Number(row['expected']),
        missing: gaps.reduce((sum, gap) => sum + gap.missing, 0),
        gaps,
      };
    })
    .sort((a, b) => a.market.localeCompare(b.market) || a.symbol.localeCompare(b.symbol) || INTERVAL_ORDER(a.interval) - INTERVAL_ORDER(b.interval));
}

const INTERVAL_ORDER = (interval: string): number => (INTERVAL_MS as Record<string, number>)[interval] ?? Number.MAX_SAFE_INTEGER;
