import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../data/index.ts';
import type { JournalRecord } from '../engine/index.ts';
import { getRun, readJournal, type StoredRun } from '../research/index.ts';
import { runStoredReplay } from '../research/replay/runStoredReplay.ts';
import type { XylenConfig } from '../config/index.ts';
import { createLiveSession } from './createLiveSession.ts';
import type { ExchangeSim } from './exchange-sim/index.ts';
import { startFourModelServers } from './test/modelServers.ts';
import { FROM, importedStore, liveConfigFor, parityConfig, simOverStore, TO } from './test/liveFixture.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const decisionsOf = (records: readonly JournalRecord[]) =>
  records.filter((r) => r.type === 'heartbeat').map(({ ts, row, action, confidence, outcome, detail, votes }) => ({ ts, row, action, confidence, outcome, detail, answered: votes.length }));
const tradesOf = (records: readonly JournalRecord[]) => records.filter((r) => r.type === 'trade');
const fillsOf = (records: readonly JournalRecord[]) => records.filter((r): r is Extract<JournalRecord, { type: 'fill' }> => r.type === 'fill').map((r) => ({ ...r.fill, recordTs: r.ts }));

let shared: Promise<{ dir: string; storePath: string }> | undefined;

async function replayThenLive(config: XylenConfig): Promise<{ replayed: JournalRecord[]; live: JournalRecord[]; sim: ExchangeSim; stored: StoredRun; journaled: JournalRecord[] }> {
    shared ??= importedStore().then((s) => (dirs.push(s.dir), s));
    const { dir, storePath } = await shared;

    const store = await Store.open(storePath);
    let replayed: JournalRecord[];
    try {
      const result = await runStoredReplay(store, config, { market: 'usdm', symbol: 'BTCUSDT', from: FROM, to: TO });
      replayed = await readJournal(store, result.runId);
    } finally {
      store.close();
    }

    const sim = await simOverStore(storePath, config);
    const live: JournalRecord[] = [];
    const session = await createLiveSession(liveConfigFor(sim, config, dir), { storePath, log: () => undefined, tap: (r) => live.push(r) });
    try {
      await session.start();
      while (await sim.step()) await session.runner.handled(sim.market.lastClose);
    } finally {
      await session.close();
      await sim.close();
    }
    // The live journal file holds the run, complete, with what the live process journaled.
    const journalStore = await Store.open(session.journalPath, { readOnly: true });
    try {
      return { replayed, live, sim, stored: await getRun(journalStore, session.runId), journaled: await readJournal(journalStore, session.runId) };
    } finally {
      journalStore.close();
    }
}

describe('live through ccxt and the exchange simulator = replay', () => {
  it('two days of real 1m candles, rule models in-process: the same decisions, fills and trades as xylen replay, bit for bit', async () => {
    const { replayed, live, sim, stored, journaled } = await replayThenLive(parityConfig());
    expect(stored).toMatchObject({ kind: 'live', status: 'complete' });
    expect(stored.manifest.data).toMatchObject({ from: FROM, to: TO, bars: 2 * 1440 });
    expect(journaled).toEqual(live);
    const expectedTrades = tradesOf(replayed);
    expect(expectedTrades.length).toBeGreaterThanOrEqual(3);
    expect(decisionsOf(live)).toEqual(decisionsOf(replayed));
    expect(fillsOf(live)).toEqual(fillsOf(replayed));
    expect(tradesOf(live)).toEqual(expectedTrades);
    expect((stored.metrics as { trades: number } | null)?.trades).toBe(expectedTrades.length);
    // Orders went through ccxt: entries on /fapi/v1/order, protection on the algo endpoint.
    expect(sim.requests.filter((r) => r.path === '/fapi/v1/algoOrder' && r.method === 'POST').length).toBe(2 * sim.requests.filter((r) => r.path === '/fapi/v1/order' && r.method === 'POST').length);
  });

  it('the same with four HTTP model servers (xylen model-server processes: ONNX and XGBoost models)', async () => {
    const servers = await startFourModelServers();
    try {
      const config = parityConfig({ models: Object.entries(servers.urls).map(([name, endpoint]) => ({ name, kind: 'http' as const, endpoint })), ensemble: { threshold: 0.3, quorum: 3 } });
      const { replayed, live } = await replayThenLive(config);
      expect(decisionsOf(replayed).filter((d) => d.answered === 4).length).toBeGreaterThan(500);
      expect(decisionsOf(live)).toEqual(decisionsOf(replayed));
      const votesOf = (records: readonly JournalRecord[]) => records.flatMap((r) => (r.type === 'heartbeat' ? r.votes.map((v) => ({ ts: r.ts, ...v })) : []));
      expect(votesOf(live)).toEqual(votesOf(replayed));
      expect(tradesOf(live)).toEqual(tradesOf(replayed));
      expect(tradesOf(replayed).length).toBeGreaterThan(0);
    } finally {
      await servers.stop();
    }
  });
});
