import type { Store } from '../../data/index.ts';
import { inputError } from '../../engine/index.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { listWalkforwards, walkforwardFolds, WALKFORWARD_ID_PATTERN, type StoredFold, type StoredWalkforward } from '../walkforward/walkforwardTables.ts';

export interface WalkforwardEquityPoint {
  fold: number;
  ts: number;
  equity: number;
  low: number;
  high: number;
  drawdown: number;
}

export interface WalkforwardReportData {
  wf: StoredWalkforward;
  metrics: RunMetrics;
  folds: StoredFold[];
  /** The stitched out-of-sample equity, condensed per fold into buckets of `bucketMs`. */
  equity: WalkforwardEquityPoint[];
  equityRows: number;
  bucketMs: number;
}

/**
 * A finished walk-forward analysis with its folds and its stitched out-of-sample equity (condensed in DuckDB). One
 * still running or failed is an input error naming its state.
 */
export async function loadWalkforwardReport(store: Store, wfId: string, options: { maxPoints?: number } = {}): Promise<WalkforwardReportData> {
  if (!WALKFORWARD_ID_PATTERN.test(wfId)) {
    throw inputError('BAD_WALKFORWARD_ID', `"${wfId}" is not a walk-forward id (they look like wf-20240514-093000-a1b2)`, { where: 'WALKFORWARD', hint: '`xylen walkforward ls` lists them' });
  }
  const wf = (await listWalkforwards(store)).find((w) => w.wfId === wfId);
  if (!wf) {
    throw inputError('WALKFORWARD_NOT_FOUND', `no walk-forward ${wfId} in ${store.path}`, { where: 'WALKFORWARD', hint: '`xylen walkforward ls` lists them' });
  }
  if (wf.status !== 'complete' || wf.metrics === null) {
    const failed = wf.status === 'failed';
    throw inputError(failed ? 'WALKFORWARD_FAILED' : 'WALKFORWARD_NOT_FINISHED', `walk-forward ${wfId} ${failed ? `failed${wf.message ? `: ${wf.message}` : ''}` : 'is still running (or its process stopped before it finished)'}; it has no overall metrics to report`, {
      where: 'WALKFORWARD',
      hint: failed ? 'fix the cause and run it again; `xylen walkforward ls` lists the complete ones' : 'wait for it to finish, or pick a complete one from `xylen walkforward ls`',
    });
  }
  const folds = await walkforwardFolds(store, wfId);
  const start = folds[0]?.testFrom ?? wf.from;
  const end = folds.at(-1)?.testTo ?? wf.to;
  const barMs = wf.metrics.annualisation.barMs || 300_000;
  const bucketMs = Math.max(1, Math.ceil((end - start) / (options.maxPoints ?? 1200) / barMs)) * barMs;
  const rows = await store.all(
    `WITH e AS (
       SELECT fold, ts, equity, max(equity) OVER (ORDER BY ts, fold ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS peak FROM walkforward_equity WHERE wf_id = $1
     )
     SELECT fold, floor((ts - $2) / $3) AS bucket, max(ts)::DOUBLE AS ts, arg_max(equity, ts) AS equity, min(equity) AS low, max(equity) AS high,
       min(CASE WHEN peak > 0 THEN equity / peak - 1 ELSE 0 END) AS drawdown, count(*)::DOUBLE AS n
     FROM e GROUP BY fold, bucket ORDER BY ts, fold`,
    [wfId, start, bucketMs] as never,
  );
  return {
    wf,
    metrics: wf.metrics,
    folds,
    equity: rows.map((r) => ({
      fold: Number(r['fold']),
      ts: Number(r['ts']),
      equity: Number(r['equity']),
      low: Number(r['low']),
      high: Number(r['high']),
      drawdown: Math.min(0, Number(r['drawdown'])),
    })),
    equityRows: rows.reduce((n, r) => n + Number(r['n']), 0),
    bucketMs,
  };
}
