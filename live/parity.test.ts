import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../data/index.ts';
import type { JournalRecord } from '../engine/index.ts';
import { readJournal } from '../research/index.ts';
import { runStoredReplay } from '../research/replay/runStoredReplay.ts';
import { createLiveSession } from './createLiveSession.ts';
import { FROM, importedStore, liveConfigFor, parityConfig, simOverStore, TO } from './test/liveFixture.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const decisionsOf = (records: readonly JournalRecord[]) =>
  records.filter((r): r is Extract<JournalRecord, { type: 'decision' }> => r.type === 'decision').map(({ ts, row, action, confidence, outcome, detail, answered }) => ({ ts, row, action, confidence, outcome, detail, answered }));
const tradesOf = (records: readonly JournalRecord[]) => records.filter((r) => r.type === 'trade');
const fillsOf = (records: readonly JournalRecord[]) => records.filter((r): r is Extract<JournalRecord, { type: 'fill' }> => r.type === 'fill').map((r) => ({ ...r.fill, recordTs: r.ts }));

describe('live through ccxt and the exchange simulator = replay', () => {
  it('two days of real 1m candles: the same decisions, fills and trades as xylen replay, bit for bit', async () => {
    const { dir, storePath } = await importedStore();
    dirs.push(dir);
    const config = parityConfig();

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

    const expectedTrades = tradesOf(replayed);
    expect(expectedTrades.length).toBeGreaterThanOrEqual(3);
    expect(decisionsOf(live)).toEqual(decisionsOf(replayed));
    expect(fillsOf(live)).toEqual(fillsOf(replayed));
    expect(tradesOf(live)).toEqual(expectedTrades);
    // Orders went through ccxt: entries on /fapi/v1/order, protection on the algo endpoint.
    expect(sim.requests.filter((r) => r.path === '/fapi/v1/algoOrder' && r.method === 'POST').length).toBe(2 * sim.requests.filter((r) => r.path === '/fapi/v1/order' && r.method === 'POST').length);
  });
});
