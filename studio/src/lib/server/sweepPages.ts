import type { Store } from '../../../../data/index.ts';
import { inputError } from '../../../../engine/index.ts';
import { getSweep, listSweeps, listWalkforwards, type RunMetrics, type StoredSweep, type StoredWalkforward } from '../../../../research/index.ts';
import { SWEEP_TABLE_METRICS } from '../metricsCatalog.ts';


/** A stored sweep as the list shows it (without its grid's values, base config and data checksum). */
export type SweepListItem = Omit<StoredSweep, 'createdAt' | 'updatedAt' | 'grid' | 'baseConfig' | 'dataChecksum' | 'message'> & {
  createdAt: number;
  updatedAt: number;
  /** The grid's keys and how many values each takes. */
  axes: { key: string; values: number }[];
  best: { sharpe: number | null; totalReturn: number | null; index: number | null };
  /** Results with a full journaled run (`--journal N`). */
  journaled: number;
};

/** A stored walk-forward as the list shows it (without its config, and only the headline metrics). */
export type WalkforwardListItem = Omit<StoredWalkforward, 'createdAt' | 'finishedAt' | 'config' | 'metrics'> & {
  folds: number;
  createdAt: number;
  metrics: Pick<RunMetrics, 'totalReturn' | 'sharpe' | 'maxDrawdown' | 'trades' | 'buyAndHoldReturn'> | null;
};

/** Every stored sweep (newest first) with its best result by Sharpe, and every walk-forward with its folds. */
export async function sweepList(store: Store): Promise<{ sweeps: SweepListItem[]; walkforwards: WalkforwardListItem[] }> {
  const sweeps = await listSweeps(store);
  const best = await store.all(
    `SELECT sweep_id, arg_max(sharpe, sharpe) AS sharpe, arg_max(total_return, sharpe) AS total_return, arg_max(config_index, sharpe) AS config_index,
       count(run_id)::INTEGER AS journaled
     FROM sweep_results GROUP BY sweep_id`,
  );
  const bestOf = new Map(best.map((r) => [String(r['sweep_id']), r]));
  const wfs = await listWalkforwards(store);
  const foldCounts = new Map((await store.all(`SELECT wf_id, count(*)::INTEGER AS n FROM walkforward_folds GROUP BY wf_id`)).map((r) => [String(r['wf_id']), Number(r['n'])]));
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    sweeps: sweeps.map(({ createdAt, updatedAt, grid, baseConfig: _base, dataChecksum: _checksum, message: _message, ...s }) => {
      const b = bestOf.get(s.sweepId);
      return {
        ...s,
        createdAt: createdAt.getTime(),
        updatedAt: updatedAt.getTime(),
        axes: grid.axes.map((a) => ({ key: a.key, values: a.values.length })),
        best: { sharpe: num(b?.['sharpe']), totalReturn: num(b?.['total_return']), index: b?.['config_index'] == null ? null : Number(b['config_index']) },
        journaled: Number(b?.['journaled'] ?? 0),
      };
    }),
    walkforwards: wfs.map(({ createdAt, finishedAt: _finished, config: _config, metrics: m, ...w }) => ({
      ...w,
      folds: foldCounts.get(w.wfId) ?? 0,
      createdAt: createdAt.getTime(),
      metrics: m ? { totalReturn: m.totalReturn, sharpe: m.sharpe, maxDrawdown: m.maxDrawdown, trades: m.trades, buyAndHoldReturn: m.buyAndHoldReturn } : null,
    })),
  };
}

export interface SweepResultRow {
  index: number;
  hash: string;
  params: Record<string, unknown>;
  metrics: Record<(typeof SWEEP_TABLE_METRICS)[number], number | null>;
  runId: string | null;
  bars: number;
  elapsedMs: number;
  worker: string | null;
}

export interface SweepTableRequest {
  /** A metric of SWEEP_TABLE_METRICS, `index`, or `param:<grid key>`. */
  sort?: string | null;
  descending?: boolean;
  page?: number;
  size?: number;
}

export interface SweepTablePage {
  sort: string;
  descending: boolean;
  page: number;
  size: number;
  total: number;
  pages: number;
  rows: SweepResultRow[];
}

export interface SweepHead {
  sweep: Omit<StoredSweep, 'createdAt' | 'updatedAt' | 'baseConfig'> & { createdAt: number; updatedAt: number };
  table: SweepTablePage;
}

export const SWEEP_PAGE_SIZE = { default: 25, min: 10, max: 200 };

/**
 * The sweep and one page of its results, sorted and paged in SQL: a sweep of 100,000 configurations costs a page.
 * Sorting by a grid key sorts numbers as numbers and the rest (methods, model sets) as text.
 */
export async function sweepHead(store: Store, idOrName: string, request: SweepTableRequest = {}): Promise<SweepHead> {
  const stored = await getSweep(store, idOrName, 'sweep id');
  const { baseConfig: _base, createdAt, updatedAt, ...sweep } = stored;
  const keys = stored.grid.axes.map((a) => a.key);
  const sort = request.sort ?? 'sharpe';
  let order: string;
  let path: string | null = null;
  const descending = request.descending ?? sort !== 'index';
  const dir = descending ? 'DESC' : 'ASC';
  if (sort === 'index') order = `config_index ${dir}`;
  else if ((SWEEP_TABLE_METRICS as readonly string[]).includes(sort)) order = `TRY_CAST(metrics->>'$.${sort}' AS DOUBLE) ${dir} NULLS LAST, config_index`;
  else if (sort.startsWith('param:') && keys.includes(sort.slice(6))) {
    path = `$."${sort.slice(6).replaceAll('"', '\\"')}"`;
    order = `TRY_CAST(json_extract_string(params, $4) AS DOUBLE) ${dir} NULLS LAST, json_extract(params, $4)::VARCHAR ${dir}, config_index`;
  } else {
    throw inputError('BAD_SORT', `cannot sort a sweep's results by "${sort}"`, {
      where: 'sort',
      hint: `one of index, ${SWEEP_TABLE_METRICS.join(', ')}, or param:<grid key> (${keys.join(', ')})`,
    });
  }
  const size = Math.min(SWEEP_PAGE_SIZE.max, Math.max(SWEEP_PAGE_SIZE.min, Math.trunc(request.size ?? SWEEP_PAGE_SIZE.default)));
  const total = Number((await store.all(`SELECT count(*)::DOUBLE AS n FROM sweep_results WHERE sweep_id = $1`, [stored.sweepId]))[0]?.['n'] ?? 0);
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(pages, Math.max(1, Math.trunc(request.page ?? 1)));
  const rows = await store.all(
    `SELECT config_index, config_hash, params::VARCHAR AS params, metrics::VARCHAR AS metrics, run_id, bars::DOUBLE AS bars, elapsed_ms, worker
     FROM sweep_results WHERE sweep_id = $1 ORDER BY ${order} LIMIT $2 OFFSET $3`,
    (path === null ? [stored.sweepId, size, (page - 1) * size] : [stored.sweepId, size, (page - 1) * size, path]) as never,
  );
  return {
    sweep: { ...sweep, createdAt: createdAt.getTime(), updatedAt: updatedAt.getTime() },
    table: {
      sort,
      descending,
      page,
      size,
      total,
      pages,
      rows: rows.map((r) => {
        const metrics = JSON.parse(String(r['metrics'])) as Record<string, unknown>;
        return {
          index: Number(r['config_index']),
          hash: String(r['config_hash']),
          params: JSON.parse(String(r['params'])) as Record<string, unknown>,
          metrics: Object.fromEntries(SWEEP_TABLE_METRICS.map((k) => [k, typeof metrics[k] === 'number' ? metrics[k] : null])) as SweepResultRow['metrics'],
          runId: r['run_id'] === null ? null : String(r['run_id']),
          bars: Number(r['bars']),
          elapsedMs: Number(r['elapsed_ms']),
          worker: r['worker'] === null ? null : String(r['worker']),
        };
      }),
    },
  };
}
