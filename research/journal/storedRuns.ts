import { timestampDate, type Store } from '../../data/index.ts';
import { inputError } from '../../engine/index.ts';
import type { RunKind, RunStatus } from './DuckDbJournal.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import type { RunManifest } from './RunManifest.ts';
import { parseRunId } from './runId.ts';

/** A row of `runs`, with its JSON parsed. */
export interface StoredRun {
  runId: string;
  createdAt: Date;
  kind: RunKind;
  status: RunStatus;
  manifest: RunManifest;
  /** null until the run finishes. */
  metrics: RunMetrics | null;
  journalHash: string | null;
  records: number | null;
  bars: number | null;
  elapsedMs: number | null;
  finishedAt: Date | null;
  message: string | null;
}

const SELECT_RUNS = `SELECT run_id, created_at::VARCHAR AS created_at, kind, status, manifest, metrics, journal_hash,
  records::DOUBLE AS records, bars::DOUBLE AS bars, elapsed_ms, finished_at::VARCHAR AS finished_at, message FROM runs`;

/** Every stored run, newest first. */
export async function listRuns(store: Store): Promise<StoredRun[]> {
  return (await store.all(`${SELECT_RUNS} ORDER BY created_at DESC, run_id DESC`)).map(toStoredRun);
}

/** One run; an unknown id is the user's mistake (exit 2), with the way to find the right one. */
export async function getRun(store: Store, runId: string, where = 'RUN'): Promise<StoredRun> {
  const rows = await store.all(`${SELECT_RUNS} WHERE run_id = $1`, [parseRunId(runId, where)]);
  if (rows.length === 0) {
    throw inputError('RUN_NOT_FOUND', `no run ${runId} in ${store.path}`, {
      where,
      hint: '`xylen runs ls` lists the stored runs (newest first); check --db if the run was stored elsewhere',
    });
  }
  return toStoredRun(rows[0]!);
}

/**
 * The run `target` names: a run id as given, or for `latest` the newest complete run's (as `xylen report latest`
 * takes it). An empty store has no `latest`: the user's to fix (exit 2), with how.
 */
export async function runIdOf(store: Store, target: string, where = 'RUN'): Promise<string> {
  if (target !== 'latest') return target;
  const rows = await store.all(`SELECT run_id FROM runs WHERE status = 'complete' ORDER BY created_at DESC, run_id DESC LIMIT 1`);
  if (rows.length === 0) {
    throw inputError('RUN_NOT_FOUND', `no complete run in ${store.path}`, { where, hint: 'replay one first (`xylen replay`), or point --db at the store that holds it' });
  }
  return rows[0]!['run_id'] as string;
}

function toStoredRun(row: Record<string, unknown>): StoredRun {
  return {
    runId: row['run_id'] as string,
    createdAt: timestampDate(row['created_at'])!,
    kind: row['kind'] as RunKind,
    status: row['status'] as RunStatus,
    manifest: JSON.parse(row['manifest'] as string) as RunManifest,
    metrics: row['metrics'] === null ? null : (JSON.parse(row['metrics'] as string) as RunMetrics | null),
    journalHash: row['journal_hash'] as string | null,
    records: row['records'] as number | null,
    bars: row['bars'] as number | null,
    elapsedMs: row['elapsed_ms'] as number | null,
    finishedAt: timestampDate(row['finished_at']),
    message: row['message'] as string | null,
  };
}
