import { afterEach, describe, expect, it } from 'vitest';
import { featureRow, type FeatureMatrix, type JournalRecord } from '../../engine/index.ts';
import { TempStores } from '../../data/query/testStore.ts';
import type { Store } from '../../data/index.ts';
import { metricsFromJournal } from '../metrics/computeMetrics.ts';
import { BAR_MS, sampleJournal, sampleManifest, T0 } from '../test/sampleJournal.ts';
import { deleteRuns } from './deleteRuns.ts';
import { DuckDbJournal } from './DuckDbJournal.ts';
import { journalHash } from './journalHash.ts';
import { readJournal } from './readJournal.ts';

const stores = new TempStores();
afterEach(() => stores.cleanup());

/** A canonical matrix of `rows` × 3 (shifted so that two matrices differ), as computeFeatures makes them. */
function matrixOf(shift: number, rows = 3000): FeatureMatrix {
  const values = new Float64Array(rows * 3);
  const time = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    time[r] = T0 + r * BAR_MS;
    values.set([Math.sin(r + shift), 50 + Math.cos(r), 1 / (r + 1)], r * 3);
  }
  return { names: ['a', 'b', 'c'], rows, width: 3, values, time };
}

/** The sample journal with its heartbeats' features taken from rows of `matrix` (so they refer to its set). */
function recordsOver(matrix: FeatureMatrix): JournalRecord[] {
  let row = 0;
  return sampleJournal().map((r) => (r.type === 'heartbeat' ? { ...r, row, features: featureRow(matrix, row++) } : r));
}

async function storeRun(s: Store, runId: string, records: JournalRecord[], matrix?: FeatureMatrix): Promise<string> {
  const journal = await DuckDbJournal.open(s, { runId, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) }, matrix ? { features: matrix } : {});
  for (const r of records) journal.record(r);
  const metrics = metricsFromJournal(records, { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 });
  return (await journal.finish({ metrics, bars: 20, elapsedMs: 1, finishedAt: new Date(T0) })).journalHash;
}

/** Rows of `runId` in every table that holds a run's rows. */
async function rowsOf(s: Store, runId: string): Promise<Record<string, number>> {
  const tables = ['runs', 'heartbeats', 'run_models', 'orders', 'fills', 'funding', 'risk_events', 'trades', 'equity_marks', 'config_changes'];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const n = (await s.all(`SELECT count(*)::INTEGER AS n FROM ${table} WHERE run_id = $1`, [runId]))[0]!['n'] as number;
    if (n > 0) out[table] = n;
  }
  return out;
}

const count = async (s: Store, sql: string) => (await s.all(sql))[0]!['n'] as number;

describe('deleteRuns', () => {
  it('deletes runs whole, keeps the others readable with their hash, and drops a feature set once no run uses it', async () => {
    const s = await stores.open();
    const shared = matrixOf(0);
    const own = matrixOf(1);
    const a = 'run-20240101-075000-aaaa';
    const b = 'run-20240101-075001-bbbb';
    const c = 'run-20240101-075002-cccc';
    await storeRun(s, a, recordsOver(shared), shared);
    const recordsB = recordsOver(shared);
    const hashB = await storeRun(s, b, recordsB, shared);
    await storeRun(s, c, recordsOver(own), own);
    const before = await rowsOf(s, a);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['runs', 'heartbeats', 'run_models', 'orders', 'fills', 'trades']));

    const first = await deleteRuns(s, [a, a]);
    expect(first.runIds).toEqual([a]);
    expect(first.rows).toEqual(before);
    expect(first.featureSets).toBe(0);
    expect(await rowsOf(s, a)).toEqual({});
    expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(shared.rows + own.rows);
    const back = await readJournal(s, b);
    expect(journalHash(back)).toBe(hashB);
    expect(back).toHaveLength(recordsB.length);

    const second = await deleteRuns(s, [b]);
    expect(second.featureSets).toBe(1);
    expect(second.rows['feature_rows']).toBe(shared.rows);
    expect(await s.all(`SELECT rows FROM feature_sets`)).toEqual([{ rows: own.rows }]);
    expect((await readJournal(s, c)).length).toBeGreaterThan(0);
  });

  it('deletes nothing when one of the ids is unknown, and never a run a promotion was made from', async () => {
    const s = await stores.open();
    const a = 'run-20240101-075000-aaaa';
    const b = 'run-20240101-075001-bbbb';
    await storeRun(s, a, sampleJournal());
    await storeRun(s, b, sampleJournal());
    await expect(deleteRuns(s, [a, 'run-20240101-075009-ffff'])).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await expect(deleteRuns(s, ['not-a-run-id'])).rejects.toMatchObject({ code: expect.stringMatching(/^BAD_RUN_ID|RUN_NOT_FOUND$/) });
    await expect(deleteRuns(s, [])).rejects.toMatchObject({ code: 'NO_RUNS' });
    expect(Object.keys(await rowsOf(s, a))).toContain('heartbeats');

    await s.connection.run(
      `INSERT INTO promotions VALUES ('promo-1', now()::TIMESTAMP, 'tester', $1, 'live', 'running', NULL, '{}', '[]', '{}', NULL, '{}')`,
      [b],
    );
    await expect(deleteRuns(s, [a, b], { force: true })).rejects.toMatchObject({ code: 'RUN_PROMOTED', where: b });
    expect(Object.keys(await rowsOf(s, a))).toContain('heartbeats');
  });

  it('needs --force for a run still marked running or one a sweep refers to; the sweep then keeps its result unlinked', async () => {
    const s = await stores.open();
    const done = 'run-20240101-075000-aaaa';
    const stale = 'run-20240101-075001-bbbb';
    await storeRun(s, done, sampleJournal());
    // A journal whose process died: the run stays 'running' with what it wrote.
    await DuckDbJournal.open(s, { runId: stale, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    await s.connection.run(
      `INSERT INTO sweep_results VALUES ('sweep-1', 'h1', 3, '{}', '{}', '{}', 1.5, 0.1, 0.2, 4, ''::BLOB, 100, 1.0, NULL, $1, now()::TIMESTAMP)`,
      [done],
    );

    await expect(deleteRuns(s, [stale])).rejects.toMatchObject({ code: 'RUN_RUNNING', where: stale });
    await expect(deleteRuns(s, [done])).rejects.toMatchObject({ code: 'RUN_IN_SWEEP', where: done });
    const forced = await deleteRuns(s, [done, stale], { force: true });
    expect(forced.rows['runs']).toBe(2);
    expect(await s.all(`SELECT sweep_id, run_id, sharpe FROM sweep_results`)).toEqual([{ sweep_id: 'sweep-1', run_id: null, sharpe: 1.5 }]);
    expect(await count(s, `SELECT count(*)::INTEGER AS n FROM runs`)).toBe(0);
  });
});
