import { timestampDate, timestampText, type Store } from '../../data/index.ts';
import { inputError } from '../../engine/index.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import type { EquityCurve } from '../metrics/EquityCurve.ts';
import type { FoldModel, FoldResult, WalkforwardRequest } from './runWalkforward.ts';

export type WalkforwardStatus = 'running' | 'complete' | 'failed';

/** A stored walk-forward analysis: its windows, overall out-of-sample metrics, and (from getWalkforward) folds and equity. */
export interface StoredWalkforward {
  wfId: string;
  createdAt: Date;
  finishedAt: Date | null;
  status: WalkforwardStatus;
  market: string;
  symbol: string;
  from: number;
  to: number;
  trainMs: number;
  testMs: number;
  stepMs: number;
  embargoMs: number;
  kind: string | null;
  config: unknown;
  metrics: RunMetrics | null;
  message: string | null;
}

export interface StoredFold {
  fold: number;
  trainFrom: number;
  trainTo: number;
  testFrom: number;
  testTo: number;
  labelEndMax: number | null;
  models: FoldModel[];
  metrics: RunMetrics;
}

export interface WalkforwardDetail extends StoredWalkforward {
  folds: StoredFold[];
  /** The stitched out-of-sample equity at each decision of every test window, in time order. */
  equity: { fold: number; ts: number; equity: number }[];
}

export const WALKFORWARD_ID_PATTERN = /^wf-\d{8}-\d{6}-[0-9a-f]{4}$/;

export async function startWalkforward(store: Store, wf: { wfId: string; request: WalkforwardRequest & { embargoMs: number; stepMs: number } }): Promise<void> {
  const r = wf.request;
  await store.connection.run(`INSERT INTO walkforwards VALUES ($1, $2::TIMESTAMP, NULL, 'running', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL)`, [
    wf.wfId,
    timestampText(r.createdAt),
    r.market,
    r.symbol,
    BigInt(r.from),
    BigInt(r.to),
    BigInt(r.trainMs),
    BigInt(r.testMs),
    BigInt(r.stepMs),
    BigInt(r.embargoMs),
    r.kind ?? null,
    JSON.stringify(r.config),
  ]);
}

/** A fold's row and its part of the stitched equity, in one transaction. */
export async function saveFold(store: Store, wfId: string, fold: FoldResult, curve: EquityCurve): Promise<void> {
  await store.transaction(async (connection) => {
    await connection.run(`INSERT INTO walkforward_folds VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      wfId,
      fold.index,
      BigInt(fold.trainFrom),
      BigInt(fold.trainTo),
      BigInt(fold.testFrom),
      BigInt(fold.testTo),
      fold.labelEndMax === null ? null : BigInt(fold.labelEndMax),
      JSON.stringify(fold.models),
      JSON.stringify(fold.metrics),
    ]);
    const appender = await connection.createAppender('walkforward_equity');
    const { time, equity } = curve;
    for (let i = 0; i < time.length; i++) {
      appender.appendVarchar(wfId);
      appender.appendInteger(fold.index);
      appender.appendBigInt(BigInt(time[i]!));
      appender.appendDouble(equity[i]!);
      appender.endRow();
    }
    appender.closeSync();
  });
}

export async function finishWalkforward(store: Store, wfId: string, status: WalkforwardStatus, metrics: RunMetrics | null, message: string | null): Promise<void> {
  await store.connection.run(`UPDATE walkforwards SET status = $2, metrics = $3, message = $4, finished_at = now()::TIMESTAMP WHERE wf_id = $1`, [
    wfId,
    status,
    metrics === null ? null : JSON.stringify(metrics),
    message,
  ]);
}

const SELECT = `SELECT wf_id, created_at::VARCHAR AS created_at, finished_at::VARCHAR AS finished_at, status, market, symbol, from_time::DOUBLE AS from_time,
  to_time::DOUBLE AS to_time, train_ms::DOUBLE AS train_ms, test_ms::DOUBLE AS test_ms, step_ms::DOUBLE AS step_ms, embargo_ms::DOUBLE AS embargo_ms, kind,
  config::VARCHAR AS config, metrics::VARCHAR AS metrics, message FROM walkforwards`;

/** Every stored walk-forward, newest first. */
export async function listWalkforwards(store: Store): Promise<StoredWalkforward[]> {
  return (await store.all(`${SELECT} ORDER BY created_at DESC, wf_id DESC`)).map(toWalkforward);
}

/** One walk-forward with its folds and stitched equity (the newest when no id is given). */
export async function getWalkforward(store: Store, wfId?: string, where = 'WALKFORWARD'): Promise<WalkforwardDetail> {
  if (wfId !== undefined && !WALKFORWARD_ID_PATTERN.test(wfId)) {
    throw inputError('BAD_WALKFORWARD_ID', `"${wfId}" is not a walk-forward id (they look like wf-20240514-093000-a1b2)`, { where, hint: '`xylen walkforward ls` lists them' });
  }
  const rows = wfId === undefined ? await store.all(`${SELECT} ORDER BY created_at DESC LIMIT 1`) : await store.all(`${SELECT} WHERE wf_id = $1`, [wfId]);
  if (rows.length === 0) {
    throw inputError('WALKFORWARD_NOT_FOUND', wfId === undefined ? `no walk-forward in ${store.path}` : `no walk-forward ${wfId} in ${store.path}`, {
      where,
      hint: '`xylen walkforward ls` lists them; run one with `xylen walkforward --train 90d --test 30d --from … --to …`',
    });
  }
  const wf = toWalkforward(rows[0]!);
  const folds = await walkforwardFolds(store, wf.wfId);
  const equity = await store.all(`SELECT fold, ts::DOUBLE AS ts, equity FROM walkforward_equity WHERE wf_id = $1 ORDER BY ts, fold`, [wf.wfId]);
  return {
    ...wf,
    folds,
    equity: equity.map((e) => ({ fold: Number(e['fold']), ts: Number(e['ts']), equity: Number(e['equity']) })),
  };
}

/** The folds of one walk-forward, in order. */
export async function walkforwardFolds(store: Store, wfId: string): Promise<StoredFold[]> {
  const rows = await store.all(
    `SELECT fold, train_from::DOUBLE AS train_from, train_to::DOUBLE AS train_to, test_from::DOUBLE AS test_from, test_to::DOUBLE AS test_to,
       label_end_max::DOUBLE AS label_end_max, models::VARCHAR AS models, metrics::VARCHAR AS metrics FROM walkforward_folds WHERE wf_id = $1 ORDER BY fold`,
    [wfId],
  );
  return rows.map((f) => ({
    fold: Number(f['fold']),
    trainFrom: Number(f['train_from']),
    trainTo: Number(f['train_to']),
    testFrom: Number(f['test_from']),
    testTo: Number(f['test_to']),
    labelEndMax: f['label_end_max'] === null ? null : Number(f['label_end_max']),
    models: JSON.parse(String(f['models'])) as FoldModel[],
    metrics: JSON.parse(String(f['metrics'])) as RunMetrics,
  }));
}

function toWalkforward(row: Record<string, unknown>): StoredWalkforward {
  return {
    wfId: String(row['wf_id']),
    createdAt: timestampDate(row['created_at'])!,
    finishedAt: timestampDate(row['finished_at']),
    status: row['status'] as WalkforwardStatus,
    market: String(row['market']),
    symbol: String(row['symbol']),
    from: Number(row['from_time']),
    to: Number(row['to_time']),
    trainMs: Number(row['train_ms']),
    testMs: Number(row['test_ms']),
    stepMs: Number(row['step_ms']),
    embargoMs: Number(row['embargo_ms']),
    kind: row['kind'] === null ? null : String(row['kind']),
    config: JSON.parse(String(row['config'])) as unknown,
    metrics: row['metrics'] === null ? null : (JSON.parse(String(row['metrics'])) as RunMetrics),
    message: row['message'] === null ? null : String(row['message']),
  };
}
