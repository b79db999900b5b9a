import { BIGINT, BLOB, blobValue, DOUBLE, INTEGER, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import { timestampDate, type Store } from '../../data/index.ts';
import { inputError, operationalError } from '../../engine/index.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';

export type SweepStatus = 'running' | 'interrupted' | 'complete' | 'failed';

/** A sweep as stored: what was swept over which data, and how far it got. */
export interface StoredSweep {
  sweepId: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  status: SweepStatus;
  market: string;
  symbol: string;
  from: number;
  to: number;
  /** Length of the periods of the stored return series (ms). */
  periodMs: number;
  /** Configurations in the grid, and results stored so far. */
  configs: number;
  finished: number;
  grid: { file: string; axes: { key: string; values: unknown[]; line: number }[] };
  baseConfig: unknown;
  dataChecksum: string;
  message: string | null;
}

/** One configuration's result. `returns` is only read when asked for (a year of hourly returns is 70 kB a row). */
export interface StoredSweepResult {
  sweepId: string;
  hash: string;
  index: number;
  params: Record<string, unknown>;
  config: unknown;
  metrics: RunMetrics;
  returns?: Float64Array;
  bars: number;
  elapsedMs: number;
  /** Which process replayed it (`local` for the sweep's own pool, else the queue worker's host:pid). */
  worker: string | null;
  /** A full journaled run of this configuration, when one was stored (`xylen sweep … --journal N`). */
  runId: string | null;
  finishedAt: Date;
}

export type NewSweepResult = Omit<StoredSweepResult, 'sweepId' | 'finishedAt' | 'returns'> & { returns: Float64Array };

export type NewSweep = Omit<StoredSweep, 'createdAt' | 'updatedAt' | 'status' | 'finished' | 'message'>;

export const SWEEP_ID_PATTERN = /^sw-[0-9a-f]{12}$/;

/**
 * Record a sweep (or find it again when the same sweep is rerun): a stored sweep of the same id must have replayed
 * the same data, else its results would be mixed with results over other candles.
 */
export async function saveSweep(store: Store, sweep: NewSweep): Promise<StoredSweep> {
  const existing = await store.all(`SELECT data_checksum FROM sweeps WHERE sweep_id = $1`, [sweep.sweepId]);
  if (existing.length > 0) {
    const stored = String(existing[0]!['data_checksum']);
    if (stored !== sweep.dataChecksum) {
      throw inputError('SWEEP_DATA_CHANGED', `sweep ${sweep.sweepId} was run on other candles (data checksum ${stored.slice(0, 12)}…, now ${sweep.dataChecksum.slice(0, 12)}…)`, {
        where: '--name',
        hint: 'the stored data for this period changed since: start a new sweep with another --name, or delete the old one',
      });
    }
    await store.connection.run(`UPDATE sweeps SET status = 'running', updated_at = now()::TIMESTAMP, message = NULL WHERE sweep_id = $1`, [sweep.sweepId]);
  } else {
    await store.connection.run(
      `INSERT INTO sweeps VALUES ($1, $2, now()::TIMESTAMP, now()::TIMESTAMP, 'running', $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL)`,
      [
        sweep.sweepId,
        sweep.name,
        sweep.market,
        sweep.symbol,
        BigInt(sweep.from),
        BigInt(sweep.to),
        BigInt(sweep.periodMs),
        sweep.configs,
        JSON.stringify(sweep.grid),
        JSON.stringify(sweep.baseConfig),
        sweep.dataChecksum,
      ],
    );
  }
  return getSweep(store, sweep.sweepId);
}

/** Config hashes of the results stored for a sweep. */
export async function storedHashes(store: Store, sweepId: string): Promise<Set<string>> {
  const rows = await store.all(`SELECT config_hash FROM sweep_results WHERE sweep_id = $1`, [sweepId]);
  return new Set(rows.map((r) => String(r['config_hash'])));
}

const RESULT_TYPES: DuckDBType[] = [VARCHAR, VARCHAR, INTEGER, VARCHAR, VARCHAR, VARCHAR, DOUBLE, DOUBLE, DOUBLE, INTEGER, BLOB, BIGINT, DOUBLE, VARCHAR, VARCHAR];

/**
 * Insert results in one transaction; a result already stored (same sweep and config hash) is left as it is, so a
 * result delivered twice counts once. Returns how many rows were new.
 */
export async function insertSweepResults(store: Store, sweepId: string, results: readonly NewSweepResult[]): Promise<number> {
  if (results.length === 0) return 0;
  return store.transaction(async (connection) => {
    let inserted = 0;
    for (const r of results) {
      const bytes = new Uint8Array(r.returns.buffer, r.returns.byteOffset, r.returns.byteLength);
      const outcome = await connection.run(
        `INSERT INTO sweep_results VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now()::TIMESTAMP) ON CONFLICT DO NOTHING`,
        [
          sweepId,
          r.hash,
          r.index,
          JSON.stringify(r.params),
          JSON.stringify(r.config),
          JSON.stringify(r.metrics),
          r.metrics.sharpe,
          r.metrics.totalReturn,
          r.metrics.maxDrawdown,
          r.metrics.trades,
          blobValue(littleEndian(bytes)),
          BigInt(r.bars),
          r.elapsedMs,
          r.worker,
          r.runId,
        ],
        RESULT_TYPES,
      );
      inserted += outcome.rowsChanged;
    }
    await connection.run(`UPDATE sweeps SET updated_at = now()::TIMESTAMP WHERE sweep_id = $1`, [sweepId]);
    return inserted;
  });
}

export async function setSweepStatus(store: Store, sweepId: string, status: SweepStatus, message: string | null = null): Promise<void> {
  await store.connection.run(`UPDATE sweeps SET status = $2, message = $3, updated_at = now()::TIMESTAMP WHERE sweep_id = $1`, [sweepId, status, message], [VARCHAR, VARCHAR, VARCHAR]);
}

/** Link a result to the full journaled run of its configuration. */
export async function setResultRunId(store: Store, sweepId: string, hash: string, runId: string): Promise<void> {
  await store.connection.run(`UPDATE sweep_results SET run_id = $3 WHERE sweep_id = $1 AND config_hash = $2`, [sweepId, hash, runId]);
}

const SELECT_SWEEPS = `SELECT s.sweep_id, s.name, s.created_at::VARCHAR AS created_at, s.updated_at::VARCHAR AS updated_at, s.status, s.market, s.symbol,
  s.from_time::DOUBLE AS from_time, s.to_time::DOUBLE AS to_time, s.period_ms::DOUBLE AS period_ms, s.configs, s.grid, s.base_config, s.data_checksum, s.message,
  (SELECT count(*) FROM sweep_results r WHERE r.sweep_id = s.sweep_id)::INTEGER AS finished FROM sweeps s`;

/** Every stored sweep, newest first. */
export async function listSweeps(store: Store): Promise<StoredSweep[]> {
  return (await store.all(`${SELECT_SWEEPS} ORDER BY s.created_at DESC, s.sweep_id`)).map(toSweep);
}

/** One sweep by id, or by name (the newest of that name); an unknown one is the user's mistake. */
export async function getSweep(store: Store, idOrName: string, where = 'SWEEP'): Promise<StoredSweep> {
  const rows = SWEEP_ID_PATTERN.test(idOrName)
    ? await store.all(`${SELECT_SWEEPS} WHERE s.sweep_id = $1`, [idOrName])
    : await store.all(`${SELECT_SWEEPS} WHERE s.name = $1 ORDER BY s.created_at DESC LIMIT 1`, [idOrName]);
  if (rows.length === 0) {
    throw inputError('SWEEP_NOT_FOUND', `no sweep ${JSON.stringify(idOrName)} in ${store.path}`, {
      where,
      hint: '`xylen sweep ls` lists the stored sweeps (ids look like sw-0123456789ab; a name finds its newest sweep)',
    });
  }
  return toSweep(rows[0]!);
}

/** The newest sweep, for commands whose SWEEP argument is optional. */
export async function latestSweep(store: Store): Promise<StoredSweep> {
  const rows = await store.all(`${SELECT_SWEEPS} ORDER BY s.updated_at DESC LIMIT 1`);
  if (rows.length === 0) {
    throw operationalError('SWEEP_NOT_FOUND', `no sweeps in ${store.path}`, { hint: 'run one with `xylen sweep --grid grid.yaml --from … --to …`' });
  }
  return toSweep(rows[0]!);
}

/** The results of a sweep in grid order, with their return series when `returns` is set. */
export async function sweepResults(store: Store, sweepId: string, options: { returns?: boolean } = {}): Promise<StoredSweepResult[]> {
  const rows = await store.all(
    `SELECT sweep_id, config_hash, config_index, params, config, metrics, ${options.returns ? 'period_returns,' : ''} bars::DOUBLE AS bars, elapsed_ms, worker, run_id,
       finished_at::VARCHAR AS finished_at FROM sweep_results WHERE sweep_id = $1 ORDER BY config_index, config_hash`,
    [sweepId],
  );
  return rows.map((row) => ({
    sweepId: String(row['sweep_id']),
    hash: String(row['config_hash']),
    index: Number(row['config_index']),
    params: JSON.parse(String(row['params'])) as Record<string, unknown>,
    config: JSON.parse(String(row['config'])) as unknown,
    metrics: JSON.parse(String(row['metrics'])) as RunMetrics,
    ...(options.returns ? { returns: readFloat64(row['period_returns']) } : {}),
    bars: Number(row['bars']),
    elapsedMs: Number(row['elapsed_ms']),
    worker: row['worker'] === null ? null : String(row['worker']),
    runId: row['run_id'] === null ? null : String(row['run_id']),
    finishedAt: timestampDate(row['finished_at'])!,
  }));
}

function toSweep(row: Record<string, unknown>): StoredSweep {
  return {
    sweepId: String(row['sweep_id']),
    name: String(row['name']),
    createdAt: timestampDate(row['created_at'])!,
    updatedAt: timestampDate(row['updated_at'])!,
    status: row['status'] as SweepStatus,
    market: String(row['market']),
    symbol: String(row['symbol']),
    from: Number(row['from_time']),
    to: Number(row['to_time']),
    periodMs: Number(row['period_ms']),
    configs: Number(row['configs']),
    finished: Number(row['finished']),
    grid: JSON.parse(String(row['grid'])) as StoredSweep['grid'],
    baseConfig: JSON.parse(String(row['base_config'])) as unknown,
    dataChecksum: String(row['data_checksum']),
    message: row['message'] === null ? null : String(row['message']),
  };
}


const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The bytes of float64s in little-endian order (a copy, on big-endian hosts, with each value's bytes reversed). */
function littleEndian(bytes: Uint8Array): Uint8Array {
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 8) for (let b = 0; b < 8; b++) out[i + b] = bytes[i + 7 - b]!;
  return out;
}

function readFloat64(value: unknown): Float64Array {
  const bytes = littleEndian(Uint8Array.from((value as { bytes: Uint8Array }).bytes));
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}
