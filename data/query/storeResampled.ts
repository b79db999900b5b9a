import { intervalMs, type Interval } from '../../engine/index.ts';
import type { SeriesKey } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { alignedSourceRange, bucketQuery, resampleRatio } from './resampleCandles.ts';
import { requireSeries } from './seriesNotStoredError.ts';
import { rangeConditions, type TimeRange } from './TimeRange.ts';

export interface StoreResampledOptions {
  /** Store incomplete buckets too (the report still lists them). Off by default: a partial bucket is not a candle. */
  includeIncomplete?: boolean;
  /** Called after each window with the source candles done so far and in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface ResampleReport {
  source: SeriesKey;
  target: Interval;
  /** Source candles read. */
  sourceRows: number;
  /** Buckets newly stored under the target interval. */
  written: number;
  /** Buckets whose key was already stored (natively or by an earlier resample): the stored row is kept. */
  skippedExisting: number;
  /** Of those, the ones whose stored values disagree with the resampled ones, and in which columns. */
  differing: { openTime: number; columns: string[] }[];
  /** Buckets missing some source candles, with how many they have of how many. */
  incomplete: { openTime: number; count: number; expected: number }[];
  /** Whether the incomplete buckets were stored (`includeIncomplete`). */
  incompleteStored: boolean;
}

/** About a month of source candles per statement: big enough to be fast, small enough to show progress. */
const WINDOW_MS = 30 * 86_400_000;
const COMPARED = ['open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trades', 'taker_buy_base', 'taker_buy_quote'];

/**
 * Resample a stored series to `target` and store the complete buckets as candles of that interval,
 * in one transaction. A bucket already stored is never overwritten: native data wins, and a
 * disagreement is reported rather than hidden.
 */
export async function storeResampled(
  store: Store,
  source: SeriesKey,
  target: Interval,
  range: TimeRange = {},
  options: StoreResampledOptions = {},
): Promise<ResampleReport> {
  const ratio = resampleRatio(source.interval, target);
  const includeIncomplete = options.includeIncomplete ?? false;
  const report: ResampleReport = { source, target, sourceRows: 0, written: 0, skippedExisting: 0, differing: [], incomplete: [], incompleteStored: includeIncomplete };
  await requireSeries(store, 'candles', source);
  const aligned = alignedSourceRange(range, target);
  if (!aligned) return report;

  const time = rangeConditions('open_time', aligned, 4);
  const [extent] = await store.all(
    `SELECT count(*) AS n, min(open_time) AS first, max(open_time) AS last FROM candles
     WHERE ${['market = $1', 'symbol = $2', 'interval = $3', ...time.conditions].join(' AND ')}`,
    [source.market, source.symbol, source.interval, ...time.params],
  );
  const total = Number(extent?.['n'] ?? 0);
  if (total === 0) return report;

  const width = intervalMs(target);
  const span = Math.ceil(WINDOW_MS / width) * width;
  const first = Math.floor(Number(extent!['first']) / width) * width;
  const last = Number(extent!['last']);
  const eligible = includeIncomplete ? 'true' : 'r.complete';
  const differs = COMPARED.map(
    (c) => `CASE WHEN abs(s.${c} - r.${c}) > 1e-9 * greatest(abs(s.${c}), abs(r.${c}), 1) THEN '${c}' END`,
  ).join(', ');

  await store.transaction(async (connection) => {
    for (let from = first; from <= last; from += span) {
      const window = bucketQuery(source, target, { from, to: aligned.to === undefined ? from + span : Math.min(from + span, aligned.to) });
      await connection.run(`CREATE OR REPLACE TEMP TABLE xylen_resampled AS ${window.sql}`, window.params);
      const stored = `s.market = $1 AND s.symbol = $2 AND s.interval = $3 AND s.open_time = r.open_time`;
      const keyParams = [source.market, source.symbol, target];

      const existing = await store.all(
        `SELECT r.open_time, list_filter([${differs}], lambda c: c IS NOT NULL) AS columns
         FROM xylen_resampled r JOIN candles s ON ${stored} WHERE ${eligible} ORDER BY r.open_time`,
        keyParams,
      );
      report.skippedExisting += existing.length;
      for (const row of existing) {
        const columns = (row['columns'] as { items: string[] }).items;
        if (columns.length > 0) report.differing.push({ openTime: Number(row['open_time']), columns });
      }

      const inserted = await connection.run(
        `INSERT INTO candles
         SELECT $1, $2, $3, open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base, taker_buy_quote
         FROM xylen_resampled r WHERE ${eligible} AND NOT EXISTS (SELECT 1 FROM candles s WHERE ${stored})`,
        keyParams,
      );
      report.written += inserted.rowsChanged;

      const buckets = await store.all(`SELECT open_time, n, complete FROM xylen_resampled ORDER BY open_time`);
      for (const bucket of buckets) {
        report.sourceRows += Number(bucket['n']);
        if (!bucket['complete']) report.incomplete.push({ openTime: Number(bucket['open_time']), count: Number(bucket['n']), expected: ratio });
      }
      options.onProgress?.(report.sourceRows, total);
    }
    await connection.run('DROP TABLE IF EXISTS xylen_resampled');
  });
  return report;
}
