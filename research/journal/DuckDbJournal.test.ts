import { afterEach, describe, expect, it } from 'vitest';
import { featureRow, type FeatureMatrix, type HeartbeatRecord, type JournalRecord } from '../../engine/index.ts';
import { TempStores } from '../../data/query/testStore.ts';
import { metricsFromJournal } from '../metrics/computeMetrics.ts';
import { BAR_MS, sampleJournal, sampleManifest, T0 } from '../test/sampleJournal.ts';
import { DuckDbJournal } from './DuckDbJournal.ts';
import { featureSetId } from './featureSetId.ts';
import { journalHash } from './journalHash.ts';
import { HEARTBEAT_COLUMNS } from './heartbeatChunk.ts';
import { JOURNAL_TABLE_LIST } from './journalTables.ts';
import { readJournal } from './readJournal.ts';
import { getRun } from './storedRuns.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { MIGRATIONS } from '../../data/migrations.ts';
import type { Store } from '../../data/index.ts';

const stores = new TempStores();
afterEach(() => stores.cleanup());

async function store(records: readonly JournalRecord[], runId: string, into?: Store): Promise<{ store: Store; hash: string }> {
  const s = into ?? (await stores.open());
  const journal = await DuckDbJournal.open(s, { runId, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
  for (const r of records) journal.record(r);
  const metrics = metricsFromJournal(records, { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 });
  const finished = await journal.finish({ metrics, bars: 20, elapsedMs: 12.5, finishedAt: new Date(T0 + 1000) });
  expect(finished.records).toBe(records.length);
  return { store: s, hash: finished.journalHash };
}

describe('DuckDbJournal', () => {
  it('stores every record type and reads the same journal back, with the same hash', async () => {
    const records = sampleJournal();
    expect(new Set(records.map((r) => r.type))).toEqual(new Set(['heartbeat', ...JOURNAL_TABLE_LIST.map((t) => t.type)]));
    const { store: s, hash } = await store(records, 'run-20240101-075000-abcd');
    expect(hash).toBe(journalHash(records));
    const back = await readJournal(s, 'run-20240101-075000-abcd');
    expect(back).toStrictEqual(records);
    expect(journalHash(back)).toBe(hash);

    const run = await getRun(s, 'run-20240101-075000-abcd');
    expect(run).toMatchObject({ status: 'complete', kind: 'replay', journalHash: hash, records: records.length, bars: 20, elapsedMs: 12.5 });
    expect(run.metrics).toEqual(metricsFromJournal(records, { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 }));
    expect(run.manifest).toEqual(sampleManifest());
    expect(run.createdAt.getTime()).toBe(T0);
  });

  it('takes its summary from a function called while DuckDB commits, after every row is in; a throwing one still leaves the journal committed', async () => {
    const records = sampleJournal();
    const s = await stores.open();
    const open = (runId: string) => DuckDbJournal.open(s, { runId, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    const metrics = metricsFromJournal(records, { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 });

    const journal = await open('run-20240101-075000-aaaa');
    for (const r of records) journal.record(r);
    let calls = 0;
    const finished = await journal.finish(() => {
      calls++;
      // The rows are flushed before the COMMIT is issued: a late record is refused, not lost.
      expect(() => journal.record(records[0]!)).toThrow(/closed/);
      return { metrics, bars: 20, elapsedMs: 12.5, finishedAt: new Date(T0 + 1000) };
    });
    expect(calls).toBe(1);
    expect(finished.journalHash).toBe(journalHash(records));
    expect(await getRun(s, 'run-20240101-075000-aaaa')).toMatchObject({ status: 'complete', bars: 20, elapsedMs: 12.5, metrics });

    const failing = await open('run-20240101-075001-bbbb');
    for (const r of records) failing.record(r);
    await expect(
      failing.finish(() => {
        throw new Error('metrics broke');
      }),
    ).rejects.toThrow('metrics broke');
    // The journal was committed all the same (the run stays 'running', as any run whose finish failed).
    expect(await readJournal(s, 'run-20240101-075001-bbbb')).toStrictEqual(records);
    expect((await getRun(s, 'run-20240101-075001-bbbb')).status).toBe('running');
  });

  it('keeps runs apart, and two identical journals under different run ids hash the same', async () => {
    const records = sampleJournal();
    const first = await store(records, 'run-20240101-075000-aaaa');
    const second = await store(records.slice(0, 10), 'run-20240101-075001-bbbb', first.store);
    expect(second.hash).toBe(journalHash(records.slice(0, 10)));
    expect(await readJournal(first.store, 'run-20240101-075000-aaaa')).toHaveLength(records.length);
    expect(await readJournal(first.store, 'run-20240101-075001-bbbb')).toHaveLength(10);
    const third = await store(records, 'run-20240101-075002-cccc', first.store);
    expect(third.hash).toBe(first.hash);
  });

  it('copies records when they arrive: the engine reuses its heartbeat object and feature buffer', async () => {
    const s = await stores.open();
    const journal = await DuckDbJournal.open(s, { runId: 'run-20240101-075000-abcd', kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    const beat = sampleJournal().find((r) => r.type === 'heartbeat')!;
    const buffer = Float64Array.of(1, 2, 3, 4);
    const reused = { ...beat, features: buffer.subarray(1, 3) };
    journal.record(reused);
    reused.equity = 99;
    buffer[1] = 99;
    journal.record({ ...reused, ts: T0 + BAR_MS });
    await journal.finish({ metrics: metricsFromJournal([], { barMs: BAR_MS, firstClose: 1, lastClose: 1 }), bars: 1, elapsedMs: 1, finishedAt: new Date(T0) });
    const back = await readJournal(s, 'run-20240101-075000-abcd');
    expect(back[0]).toMatchObject({ equity: beat.equity, features: Float64Array.of(2, 3) });
    expect(back[1]).toMatchObject({ equity: 99, features: Float64Array.of(99, 3) });
  });

  it('writes heartbeats across block boundaries: doubles exact, NaN kept, NULLs where they were, lists of any length', async () => {
    const records: JournalRecord[] = [];
    const models = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 5000; i++) {
      const x = Math.sin(i) * 1e4 + 1 / (i + 3);
      const votes = models.slice(0, i % 5).map((model, k) => ({ model, action: (['long', 'short', 'hold'] as const)[(i + k) % 3]!, confidence: 1 / (k + i + 1), weight: Math.abs(x) * k }));
      records.push({
        type: 'heartbeat',
        ts: T0 + i * 300_000,
        row: i,
        close: x,
        features: i % 7 === 0 ? new Float64Array(0) : Float64Array.of(x, Number.MAX_VALUE, -0.1 * i, i % 11 === 0 ? Number.NaN : 5e-324 * i),
        equity: x,
        wallet: -x,
        quantity: i % 3 === 0 ? 0 : 0.001 * i,
        markPrice: 5e-324 * i,
        votes,
        action: (['long', 'short', 'hold'] as const)[i % 3]!,
        confidence: x / 1e5,
        scores: { long: x, short: -x, hold: 1 / x },
        ...(i % 13 === 5 && i % 5 !== 4 ? { missing: models.slice(i % 5) } : {}),
        outcome: (['HOLD', 'NO_QUORUM', 'ORDER_PLACED', 'HALTED'] as const)[i % 4]!,
        ...(i % 17 === 3 ? { detail: `détail ${i} ✓` } : {}),
      });
      if (i % 1000 === 999) records.push({ type: 'equity', ts: T0 + i * 300_000 + 1, equity: x, wallet: x, quantity: 0, markPrice: x });
    }
    const { store: s, hash } = await store(records, 'run-20240101-075000-abcd');
    const back = await readJournal(s, 'run-20240101-075000-abcd');
    expect(back).toStrictEqual(records);
    expect(journalHash(back)).toBe(hash);
  });

  it('stores nothing of the journal until it commits; commits mid-block keep the rows and the hash whole', async () => {
    const s = await stores.open();
    const runId = 'run-20240101-075000-abcd';
    const journal = await DuckDbJournal.open(s, { runId, kind: 'live', manifest: sampleManifest(), createdAt: new Date(T0) });
    const beat = sampleJournal().find((r) => r.type === 'heartbeat')!;
    const records: JournalRecord[] = [];
    const count = async () => (await s.all(`SELECT count(*)::INTEGER AS n FROM heartbeats WHERE run_id = $1`, [runId]))[0]!['n'];
    const add = (n: number) => {
      for (let i = 0; i < n; i++) {
        const r: JournalRecord = { ...beat, ts: T0 + records.length * BAR_MS, row: records.length };
        records.push(r);
        journal.record(r);
      }
    };
    add(1000);
    expect(await count()).toBe(0); // still in the journal's transaction
    await journal.commit();
    expect(await count()).toBe(1000);
    add(1500); // the block fills at 2048 and is stored whole, its first 1000 rows once only
    await journal.commit();
    expect(await count()).toBe(2500);
    add(10);
    const finished = await journal.finish({ metrics: metricsFromJournal(records, { barMs: BAR_MS, firstClose: 1, lastClose: 1 }), bars: 1, elapsedMs: 1, finishedAt: new Date(T0) });
    expect(await count()).toBe(2510);
    expect(finished.journalHash).toBe(journalHash(records));
    expect(await readJournal(s, runId)).toStrictEqual(records);
  });

  it('keeps the old record tables readable as views over heartbeats', async () => {
    const records = sampleJournal();
    const { store: s } = await store(records, 'run-20240101-075000-abcd');
    const beats = records.filter((r) => r.type === 'heartbeat');
    const decisions = await s.all(`SELECT row, action, confidence, answered, missing, outcome, detail FROM decisions WHERE run_id = $1 ORDER BY seq`, ['run-20240101-075000-abcd']);
    expect(decisions).toEqual(
      beats.map((b) => ({ row: b.row, action: b.action, confidence: b.confidence, answered: b.votes.length, missing: b.missing?.join(',') ?? null, outcome: b.outcome, detail: b.detail ?? null })),
    );
    const predictions = await s.all(`SELECT row, model, action, confidence, weight FROM predictions WHERE run_id = $1 ORDER BY seq, model`, ['run-20240101-075000-abcd']);
    expect(predictions).toEqual(beats.flatMap((b) => b.votes.map((v) => ({ row: b.row, model: v.model, action: v.action, confidence: v.confidence, weight: v.weight }))));
    const equity = await s.all(`SELECT ts::DOUBLE AS ts, equity FROM equity WHERE run_id = $1 ORDER BY seq`, ['run-20240101-075000-abcd']);
    expect(equity).toEqual(records.flatMap((r) => (r.type === 'heartbeat' || r.type === 'equity' ? [{ ts: r.ts, equity: r.equity }] : [])));
    const snapshots = await s.all(`SELECT row, len(features)::INTEGER AS width FROM snapshots WHERE run_id = $1 ORDER BY seq`, ['run-20240101-075000-abcd']);
    expect(snapshots).toEqual(beats.map((b) => ({ row: b.row, width: b.features.length })));
  });

  it('marks a failed run and keeps what was journaled', async () => {
    const s = await stores.open();
    const journal = await DuckDbJournal.open(s, { runId: 'run-20240101-075000-abcd', kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    expect((await getRun(s, 'run-20240101-075000-abcd')).status).toBe('running');
    for (const r of sampleJournal().slice(0, 5)) journal.record(r);
    await journal.fail('model server timed out', new Date(T0 + 5000));
    const run = await getRun(s, 'run-20240101-075000-abcd');
    expect(run).toMatchObject({ status: 'failed', message: 'model server timed out', records: 5, journalHash: null, metrics: null });
    expect(await readJournal(s, 'run-20240101-075000-abcd')).toHaveLength(5);
    expect(() => journal.record(sampleJournal()[0]!)).toThrow(/closed/);
  });

  it('commits nothing of a journal whose runs row could not be inserted (its run id taken): finish says why', async () => {
    const runId = 'run-20240101-075000-abcd';
    const records = sampleJournal();
    const { store: s, hash } = await store(records, runId);
    // The runs row is inserted while the journal starts, and awaited before anything of the journal commits.
    const again = await DuckDbJournal.open(s, { runId, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0 + 1) });
    for (const r of records) again.record(r);
    const finished = again.finish({ metrics: metricsFromJournal(records, { barMs: BAR_MS, firstClose: 1, lastClose: 1 }), bars: 1, elapsedMs: 1, finishedAt: new Date(T0) });
    await expect(finished).rejects.toThrow(/duplicate key|PRIMARY KEY|constraint/i);
    expect(await readJournal(s, runId)).toStrictEqual(records); // the first run's journal, once
    expect((await getRun(s, runId)).journalHash).toBe(hash);
  });

  it('stores blocks on a DuckDB thread while a synchronous producer runs on, as long as it awaits pause()', async () => {
    const s = await stores.open();
    const runId = 'run-20240101-075000-abcd';
    const journal = await DuckDbJournal.open(s, { runId, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    const beat = sampleJournal().find((r) => r.type === 'heartbeat')!;
    const records: JournalRecord[] = [];
    let paused = 0;
    // Ten blocks and a bit, like a replay loop: no other turn of the event loop than the pauses.
    for (let i = 0; i < 10 * 2048 + 77; i++) {
      const r: JournalRecord = { ...beat, ts: T0 + i * BAR_MS, row: i, close: i + 0.5 };
      records.push(r);
      journal.record(r);
      const pause = journal.pause();
      if (pause) {
        paused++;
        await pause;
      }
    }
    expect(paused).toBeGreaterThan(10); // the inserts ran while the loop did
    const finished = await journal.finish({ metrics: metricsFromJournal(records, { barMs: BAR_MS, firstClose: 1, lastClose: 1 }), bars: 1, elapsedMs: 1, finishedAt: new Date(T0) });
    expect(finished.journalHash).toBe(journalHash(records));
    const rows = await s.all(`SELECT count(*)::INTEGER AS n, count(DISTINCT seq)::INTEGER AS seqs, min(row) AS lo, max(row) AS hi FROM heartbeats WHERE run_id = $1`, [runId]);
    expect(rows[0]).toEqual({ n: records.length, seqs: records.length, lo: 0, hi: records.length - 1 });
    expect(await readJournal(s, runId)).toStrictEqual(records);
  });

  it('turns a failed insert into an error on the next record and a failed run that says why', async () => {
    const s = await stores.open();
    // A heartbeats table that refuses the journal's 3000th row.
    await s.connection.run(`DROP TABLE heartbeats`);
    await s.connection.run(
      `CREATE TABLE heartbeats (${HEARTBEAT_COLUMNS.map(([name, type]) => `${name} ${type.toString()}${name === 'seq' ? ' CHECK (seq < 3000)' : ''}`).join(', ')})`,
    );
    const runId = 'run-20240101-075000-abcd';
    const journal = await DuckDbJournal.open(s, { runId, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    const beat = sampleJournal().find((r) => r.type === 'heartbeat')!;
    let error: unknown;
    for (let i = 0; i < 20 * 2048 && error === undefined; i++) {
      try {
        journal.record({ ...beat, ts: T0 + i * BAR_MS, row: i });
      } catch (e) {
        error = e;
      }
      const pause = journal.pause();
      if (pause) await pause;
    }
    expect(String(error)).toMatch(/CHECK constraint/i);
    await journal.fail('the replay stopped', new Date(T0 + 5000));
    const run = await getRun(s, runId);
    expect(run.status).toBe('failed');
    expect(run.message).toMatch(/^the replay stopped; its journal could not be stored: .*CHECK constraint/i);
    expect((await s.all(`SELECT count(*)::INTEGER AS n FROM heartbeats`))[0]!['n']).toBe(0); // nothing half-stored
  });

  it('reads a run stored before feature sets existed (schema 7) after the store is migrated (8, 9), with the same hash', async () => {
    // A run journaled now with its features inline has the rows schema 7 had; copied into a file made by the
    // migrations up to 7, it is what an older Xylen left behind.
    const records = sampleJournal();
    const runId = 'run-20240101-075000-abcd';
    const current = await store(records, runId);
    const currentPath = current.store.path;
    current.store.close();
    const oldPath = stores.path();
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`ATTACH '${oldPath}' AS old`);
    await c.run('USE old');
    await c.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version <= 7)) {
      await c.run(m.sql);
      await c.run(`INSERT INTO schema_migrations VALUES (${m.version}, 'test', now()::TIMESTAMP)`);
    }
    await c.run(`ATTACH '${currentPath}' AS now (READ_ONLY)`);
    await c.run('INSERT INTO old.runs SELECT * EXCLUDE (feature_set) FROM now.runs');
    // Schema 7 kept a heartbeat's votes as four lists (migration 9 made them one list of structs).
    await c.run(
      `INSERT INTO old.heartbeats SELECT * EXCLUDE (votes), list_transform(votes, v -> v.model), list_transform(votes, v -> v.action),
         list_transform(votes, v -> v.confidence), list_transform(votes, v -> v.weight) FROM now.heartbeats`,
    );
    for (const table of ['run_models', ...JOURNAL_TABLE_LIST.map((t) => t.table)]) await c.run(`INSERT INTO old.${table} SELECT * FROM now.${table}`);
    c.closeSync();
    db.closeSync();

    const migrated = await stores.open(oldPath);
    expect(await migrated.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    expect(await migrated.all('SELECT feature_set FROM runs')).toEqual([{ feature_set: null }]);
    const back = await readJournal(migrated, runId);
    expect(back).toStrictEqual(records);
    expect(journalHash(back)).toBe(current.hash);
    expect((await getRun(migrated, runId)).journalHash).toBe(current.hash);
    const beats = records.filter((r): r is HeartbeatRecord => r.type === 'heartbeat');
    const snapshots = await migrated.all(`SELECT len(features)::INTEGER AS width FROM snapshots WHERE run_id = $1 ORDER BY seq`, [runId]);
    expect(snapshots).toEqual(beats.map((b) => ({ width: b.features.length })));
  });

  describe('with a feature matrix', () => {
    const NAMES = ['ret_1', 'rsi_14', 'atr_14'];
    /** 5000 rows (three chunks of feature rows), with a NaN warm-up, zeros (−0 if asked) and extreme values. */
    const matrixOf = (shift: number, zero = 0): FeatureMatrix => {
      const rows = 5000;
      const values = new Float64Array(rows * NAMES.length);
      const time = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        time[r] = T0 + r * BAR_MS;
        values.set([r < 14 ? Number.NaN : Math.sin(r + shift) * 1e-3, r % 97 === 0 ? zero : 50 + Math.cos(r) * 20, r === 7 ? Number.MAX_VALUE : 1 / (r + 1)], r * NAMES.length);
      }
      return { names: NAMES, rows, width: NAMES.length, values, time };
    };
    /** Heartbeats at rows from…to whose features are the matrix rows themselves (as the coordinator passes them). */
    const beatsOver = (matrix: FeatureMatrix, from: number, to: number): JournalRecord[] => {
      const beat = sampleJournal().find((r) => r.type === 'heartbeat')!;
      return Array.from({ length: to - from }, (_, i) => ({ ...beat, ts: matrix.time[from + i]!, row: from + i, features: featureRow(matrix, from + i) }));
    };
    const journalOf = (s: Store, runId: string, matrix: FeatureMatrix) =>
      DuckDbJournal.open(s, { runId, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) }, { features: matrix });
    const finish = (journal: DuckDbJournal, records: JournalRecord[]) =>
      journal.finish({ metrics: metricsFromJournal(records, { barMs: BAR_MS, firstClose: 1, lastClose: 1 }), bars: 1, elapsedMs: 1, finishedAt: new Date(T0) });
    const canonical = (records: JournalRecord[]) =>
      records.map((r) => (r.type === 'heartbeat' ? { ...r, features: r.features.map((x) => (x === 0 ? 0 : x)) } : r));
    const count = async (s: Store, sql: string, params: string[] = []) => (await s.all(sql, params))[0]!['n'];

    it('stores the matrix once per distinct content; heartbeats refer to its rows and read back whole, with the same hash', async () => {
      const s = await stores.open();
      const matrix = matrixOf(0);
      const first = beatsOver(matrix, 20, 4500);
      // A heartbeat whose features are a copy, not the matrix row, keeps its own (and one that is no row at all).
      first.push({ ...(first[0] as HeartbeatRecord), ts: T0 + 4600 * BAR_MS, row: 4600, features: featureRow(matrix, 4600).slice() });
      first.push({ ...(first[0] as HeartbeatRecord), ts: T0 + 4601 * BAR_MS, row: 4601, features: Float64Array.of(1, 2) });
      // Set rows again, side by side in the block but not consecutive in the set.
      first.push(...beatsOver(matrix, 4700, 4701), ...beatsOver(matrix, 4702, 4703), ...beatsOver(matrix, 4701, 4702));
      let journal = await journalOf(s, 'run-20240101-075000-aaaa', matrix);
      for (const r of first) journal.record(r);
      const one = await finish(journal, first);
      expect(one.journalHash).toBe(journalHash(first));

      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(matrix.rows);
      expect(await s.all(`SELECT set_id, names::VARCHAR AS names, rows FROM feature_sets`)).toEqual([{ set_id: featureSetId(matrix), names: `[${NAMES.join(', ')}]`, rows: matrix.rows }]);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM heartbeats WHERE features IS NOT NULL`)).toBe(2);
      expect(await readJournal(s, 'run-20240101-075000-aaaa')).toStrictEqual(canonical(first));

      // A second run of the same matrix stores no features at all; another matrix gets its own set.
      const second = beatsOver(matrix, 0, 3000);
      journal = await journalOf(s, 'run-20240101-075001-bbbb', matrix);
      for (const r of second) journal.record(r);
      expect((await finish(journal, second)).journalHash).toBe(journalHash(second));
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(matrix.rows);
      expect(await readJournal(s, 'run-20240101-075001-bbbb')).toStrictEqual(canonical(second));
      const other = matrixOf(1);
      const third = beatsOver(other, 100, 200);
      journal = await journalOf(s, 'run-20240101-075002-cccc', other);
      for (const r of third) journal.record(r);
      await finish(journal, third);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(2 * matrix.rows);
      expect(await s.all(`SELECT run_id, feature_set FROM runs ORDER BY run_id`)).toEqual([
        { run_id: 'run-20240101-075000-aaaa', feature_set: featureSetId(matrix) },
        { run_id: 'run-20240101-075001-bbbb', feature_set: featureSetId(matrix) },
        { run_id: 'run-20240101-075002-cccc', feature_set: featureSetId(other) },
      ]);

      // The snapshots view gives every heartbeat its features, wherever they are kept.
      const snapshots = await s.all(`SELECT row, len(features)::INTEGER AS width, features[2] AS rsi FROM snapshots WHERE run_id = $1 ORDER BY seq`, ['run-20240101-075000-aaaa']);
      expect(snapshots).toEqual(first.map((r) => ({ row: (r as HeartbeatRecord).row, width: (r as HeartbeatRecord).features.length, rsi: (r as HeartbeatRecord).features[1]! || 0 })));
    });

    it('keeps the features of a matrix holding −0 inline, where they read back canonical, with the same hash', async () => {
      const s = await stores.open();
      const matrix = matrixOf(0, -0);
      const records = beatsOver(matrix, 0, 3000);
      const journal = await journalOf(s, 'run-20240101-075000-aaaa', matrix);
      for (const r of records) journal.record(r);
      expect((await finish(journal, records)).journalHash).toBe(journalHash(records));
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_sets`)).toBe(0);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM heartbeats WHERE features IS NULL`)).toBe(0);
      const back = await readJournal(s, 'run-20240101-075000-aaaa');
      expect(back).toStrictEqual(canonical(records));
      expect(Object.is((back[97] as HeartbeatRecord).features[1], 0)).toBe(true);
      // The same content without −0 has its set, and the same hash.
      const plain = matrixOf(0);
      const again = beatsOver(plain, 0, 3000);
      const second = await journalOf(s, 'run-20240101-075001-bbbb', plain);
      for (const r of again) second.record(r);
      expect((await finish(second, again)).journalHash).toBe(journalHash(records));
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM heartbeats WHERE run_id = 'run-20240101-075001-bbbb' AND features IS NOT NULL`)).toBe(0);
    });

    it('fails the run, saying why, when its feature set cannot be stored', async () => {
      const s = await stores.open();
      const matrix = matrixOf(0);
      // A damaged store: the set's rows have no table to go to.
      await s.connection.run('DROP TABLE feature_rows');
      const runId = 'run-20240101-075000-aaaa';
      const journal = await journalOf(s, runId, matrix);
      const records = beatsOver(matrix, 0, 3000);
      let error: unknown;
      try {
        for (const r of records) {
          journal.record(r);
          const p = journal.pause();
          if (p) await p;
        }
        await finish(journal, records);
      } catch (e) {
        error = e;
      }
      expect(String(error)).toMatch(/feature_rows/);
      await journal.fail('the replay stopped', new Date(T0 + 5000));
      const run = await getRun(s, runId);
      expect(run.status).toBe('failed');
      expect(run.message).toMatch(/^the replay stopped/);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM heartbeats`)).toBe(0);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_sets`)).toBe(0);
    });

    it('keeps a set it stored when the journal itself is rolled back: the set is committed on its own, and the next run refers to it', async () => {
      const s = await stores.open();
      const matrix = matrixOf(0);
      // A heartbeats table that refuses the journal's 3000th row, so that the journal's transaction rolls back.
      const heartbeatsTable = (check: string) => `CREATE TABLE heartbeats (${HEARTBEAT_COLUMNS.map(([name, type]) => `${name} ${type.toString()}${name === 'seq' ? check : ''}`).join(', ')})`;
      await s.connection.run('DROP TABLE heartbeats');
      await s.connection.run(heartbeatsTable(' CHECK (seq < 3000)'));
      const records = beatsOver(matrix, 0, 5000);
      const failing = await journalOf(s, 'run-20240101-075000-aaaa', matrix);
      // The failed insert surfaces at a later record or, when DuckDB's thread is slower than this loop, at the end.
      for (const r of records) {
        try {
          failing.record(r);
        } catch {
          break;
        }
        const p = failing.pause();
        if (p) await p;
      }
      await failing.fail('the replay stopped', new Date(T0 + 5000));
      expect((await getRun(s, 'run-20240101-075000-aaaa')).message).toMatch(/^the replay stopped; its journal could not be stored: .*CHECK constraint/i);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM heartbeats`)).toBe(0);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(matrix.rows);

      await s.connection.run('DROP TABLE heartbeats');
      await s.connection.run(heartbeatsTable(''));
      const next = await journalOf(s, 'run-20240101-075001-bbbb', matrix);
      for (const r of records) next.record(r);
      expect((await finish(next, records)).journalHash).toBe(journalHash(records));
      expect(await s.all(`SELECT feature_set FROM runs WHERE run_id = 'run-20240101-075001-bbbb'`)).toEqual([{ feature_set: featureSetId(matrix) }]);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM heartbeats WHERE features IS NOT NULL`)).toBe(0);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(matrix.rows);
      expect(await readJournal(s, 'run-20240101-075001-bbbb')).toStrictEqual(canonical(records));
    });

    it('two journals open at once on one matrix: the set is stored once, and the other run refers to it or keeps its features inline', async () => {
      const s = await stores.open();
      const matrix = matrixOf(0);
      const a = await journalOf(s, 'run-20240101-075000-aaaa', matrix);
      const b = await journalOf(s, 'run-20240101-075001-bbbb', matrix);
      const records = beatsOver(matrix, 0, 2500);
      for (const r of records) {
        a.record(r);
        b.record(r);
        for (const p of [a.pause(), b.pause()]) if (p) await p;
      }
      await finish(a, records);
      await finish(b, records);
      // The first claimed the set, which commits on its own while the journal runs; the second found it being written
      // and keeps its features inline (had it been committed already, the second would refer to it). Each run says which, and both
      // read back whole.
      const runs = await s.all(`SELECT r.run_id, r.feature_set, count_if(h.features IS NULL)::INTEGER AS referring
        FROM runs r JOIN heartbeats h USING (run_id) GROUP BY ALL ORDER BY r.run_id`);
      expect(runs[0]).toEqual({ run_id: 'run-20240101-075000-aaaa', feature_set: featureSetId(matrix), referring: 2500 });
      expect([
        { run_id: 'run-20240101-075001-bbbb', feature_set: null, referring: 0 },
        { run_id: 'run-20240101-075001-bbbb', feature_set: featureSetId(matrix), referring: 2500 },
      ]).toContainEqual(runs[1]);
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(matrix.rows);
      for (const runId of ['run-20240101-075000-aaaa', 'run-20240101-075001-bbbb']) expect(await readJournal(s, runId)).toStrictEqual(canonical(records));
      // The claim has ended (the set is committed): the next run refers to the stored set.
      const c = await journalOf(s, 'run-20240101-075002-cccc', matrix);
      c.record(records[0]!);
      await finish(c, records.slice(0, 1));
      expect((await getRun(s, 'run-20240101-075002-cccc')).status).toBe('complete');
      expect(await count(s, `SELECT count(*)::INTEGER AS n FROM feature_rows`)).toBe(matrix.rows);
      expect(await s.all(`SELECT feature_set FROM runs WHERE run_id = 'run-20240101-075002-cccc'`)).toEqual([{ feature_set: featureSetId(matrix) }]);
    });
  });

  it('has table specs that match the migrated schema column for column', async () => {
    const s = await stores.open();
    const columnsOf = async (table: string) =>
      (await s.all(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table])).map(
        (c) => `${c['column_name']} ${c['data_type']}`,
      );
    for (const table of JOURNAL_TABLE_LIST) {
      expect(await columnsOf(table.table), table.table).toEqual(['run_id VARCHAR', 'seq BIGINT', ...table.columns.map((c) => `${c.name} ${c.type}`)]);
    }
    // Quotes aside: DuckDB quotes a struct field that is a keyword (action), the client library every field.
    const unquoted = (columns: string[]) => columns.map((c) => c.replaceAll('"', ''));
    expect(unquoted(await columnsOf('heartbeats'))).toEqual(unquoted(HEARTBEAT_COLUMNS.map(([name, type]) => `${name} ${type.toString()}`)));
  });
});
