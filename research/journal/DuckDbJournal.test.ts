import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../engine/index.ts';
import { TempStores } from '../../data/query/testStore.ts';
import { metricsFromJournal } from '../metrics/computeMetrics.ts';
import { BAR_MS, sampleJournal, sampleManifest, T0 } from '../test/sampleJournal.ts';
import { DuckDbJournal } from './DuckDbJournal.ts';
import { journalHash } from './journalHash.ts';
import { JOURNAL_TABLE_LIST } from './journalTables.ts';
import { readJournal } from './readJournal.ts';
import { getRun } from './storedRuns.ts';
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
    expect(new Set(records.map((r) => r.type))).toEqual(new Set(JOURNAL_TABLE_LIST.map((t) => t.type)));
    const { store: s, hash } = await store(records, 'run-20240101-075000-abcd');
    expect(hash).toBe(journalHash(records));
    const back = await readJournal(s, 'run-20240101-075000-abcd');
    expect(back).toStrictEqual(JSON.parse(JSON.stringify(records)));
    expect(journalHash(back)).toBe(hash);

    const run = await getRun(s, 'run-20240101-075000-abcd');
    expect(run).toMatchObject({ status: 'complete', kind: 'replay', journalHash: hash, records: records.length, bars: 20, elapsedMs: 12.5 });
    expect(run.metrics).toEqual(metricsFromJournal(records, { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 }));
    expect(run.manifest).toEqual(sampleManifest());
    expect(run.createdAt.getTime()).toBe(T0);
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

  it('copies records when they arrive: the engine may reuse its objects', async () => {
    const s = await stores.open();
    const journal = await DuckDbJournal.open(s, { runId: 'run-20240101-075000-abcd', kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    const equity = { type: 'equity' as const, ts: T0, equity: 1, wallet: 1, quantity: 0, markPrice: 1 };
    const features = [1, 2, 3];
    journal.record(equity);
    journal.record({ type: 'snapshot', ts: T0, row: 0, close: 1, features });
    equity.equity = 99;
    features[0] = 99;
    await journal.finish({ metrics: metricsFromJournal([equity], { barMs: BAR_MS, firstClose: 1, lastClose: 1 }), bars: 1, elapsedMs: 1, finishedAt: new Date(T0) });
    const back = await readJournal(s, 'run-20240101-075000-abcd');
    expect(back[0]).toMatchObject({ equity: 1 });
    expect(back[1]).toMatchObject({ features: [1, 2, 3] });
  });

  it('writes across chunk boundaries and keeps doubles exact', async () => {
    const records: JournalRecord[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = Math.sin(i) * 1e4 + 1 / (i + 3);
      records.push({ type: 'equity', ts: T0 + i * 300_000, equity: x, wallet: -x, quantity: i % 3 === 0 ? 0 : 0.001 * i, markPrice: 5e-324 * i });
      if (i % 2 === 0) records.push({ type: 'snapshot', ts: T0 + i * 300_000, row: i, close: x, features: [x, Number.MAX_VALUE, -0.1 * i] });
    }
    const { store: s, hash } = await store(records, 'run-20240101-075000-abcd');
    const back = await readJournal(s, 'run-20240101-075000-abcd');
    expect(back).toStrictEqual(records);
    expect(journalHash(back)).toBe(hash);
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

  it('has table specs that match the migrated schema column for column', async () => {
    const s = await stores.open();
    const sqlType: Record<string, string> = { BIGINT: 'BIGINT', INTEGER: 'INTEGER', DOUBLE: 'DOUBLE', VARCHAR: 'VARCHAR', BOOLEAN: 'BOOLEAN', 'DOUBLE[]': 'DOUBLE[]' };
    for (const table of JOURNAL_TABLE_LIST) {
      const columns = await s.all(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table.table]);
      expect(columns.map((c) => `${c['column_name']} ${c['data_type']}`), table.table).toEqual([
        'run_id VARCHAR',
        'seq BIGINT',
        ...table.columns.map((c) => `${c.name} ${sqlType[c.type]}`),
      ]);
    }
  });
});
