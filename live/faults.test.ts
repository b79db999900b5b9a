import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../data/index.ts';
import type { JournalRecord } from '../engine/index.ts';
import { readJournal } from '../research/index.ts';
import { runStoredReplay } from '../research/replay/runStoredReplay.ts';
import { createLiveSession } from './createLiveSession.ts';
import type { Fault } from './exchange-sim/index.ts';
import { FROM, importedStore, liveConfigFor, parityConfig, simOverStore, TO } from './test/liveFixture.ts';
import { SIM_KEY, SIM_SECRET } from './test/simFixture.ts';

let dir: string;
let storePath: string;
let replayed: JournalRecord[];
const config = parityConfig({ timing: { retry_backoff_ms: 5, retry_attempts: 4 } });

beforeAll(async () => {
  ({ dir, storePath } = await importedStore());
  const store = await Store.open(storePath);
  try {
    replayed = await readJournal(store, (await runStoredReplay(store, config, { market: 'usdm', symbol: 'BTCUSDT', from: FROM, to: TO })).runId);
  } finally {
    store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The decision part of each heartbeat (paper mode's account differs by its funding, so equity is left out). */
const decisionsOf = (records: readonly JournalRecord[]) =>
  records.filter((r) => r.type === 'heartbeat').map(({ ts, row, action, confidence, scores, votes, missing, outcome, detail }) => ({ ts, row, action, confidence, scores, votes, missing, outcome, detail }));
const tradesOf = (records: readonly JournalRecord[]) => records.filter((r) => r.type === 'trade');

/** Run the whole period, injecting `faults[bar]` before stepping that bar; returns the journal, logs and the simulator. */
async function run(overrides: Parameters<typeof liveConfigFor>[3], faults: Record<number, Fault[]>, until = Infinity) {
  const sim = await simOverStore(storePath, config);
  const live: JournalRecord[] = [];
  const logs: { event: string; detail: Record<string, unknown> }[] = [];
  const session = await createLiveSession(liveConfigFor(sim, config, dir, overrides), { storePath, log: (event, detail) => logs.push({ event, detail }), tap: (r) => live.push(r) });
  try {
    await session.start();
    for (let bar = 0; bar < until; bar++) {
      for (const fault of faults[bar] ?? []) sim.inject(fault);
      if (faults[bar]?.some((f) => f.kind === 'drop-ws')) {
        // Bars that close while the sockets are down: the feed must fetch them, the broker recover their fills.
        for (let k = 0; k < 3; k++) await sim.step();
        // Then wait until the feed and the user stream are connected again.
        const subscribers = async () => ((await (await fetch(`${sim.url}/_sim/status`)).json()) as { subscribers: number }).subscribers;
        const dropped = faults[bar]!.some((f) => f.kind === 'drop-ws' && f.target === 'user') ? 'user_stream_disconnected' : 'feed_disconnected';
        while (!logs.some((l) => l.event === dropped) || (await subscribers()) < 2) await new Promise((r) => setTimeout(r, 10));
      }
      // Muted bars are published to nobody: step them without waiting for the runner.
      for (const f of faults[bar] ?? []) if (f.kind === 'mute-ws') for (let k = 0; k < f.bars; k++) await sim.step();
      if (!(await sim.step())) break;
      await session.runner.handled(sim.market.lastClose);
    }
  } finally {
    await session.close();
    await sim.close();
  }
  return { live, logs, sim, backfilled: session.feed.backfilled };
}

describe('live under injected exchange faults', () => {
  it('recovers from clock skew, 429 with Retry-After, 5xx (also after the order was executed), and a dropped websocket with the same decisions and trades as the replay, placing no order twice', async () => {
    const { live, logs, sim, backfilled } = await run({}, {
      20: [{ kind: 'skew', ms: 20_000 }],
      300: [{ kind: '429', count: 1, retryAfterS: 1, path: '/fapi/v1/order' }],
      700: [{ kind: '5xx', count: 1, path: '/fapi/v1/order', afterExecute: true }],
      1100: [{ kind: 'drop-ws', target: 'all' }],
      1500: [{ kind: '5xx', count: 2, status: 502, path: '/fapi/v1/algoOrder' }],
      2000: [{ kind: 'mute-ws', bars: 4 }],
    });
    expect(decisionsOf(live)).toEqual(decisionsOf(replayed));
    expect(tradesOf(live)).toEqual(tradesOf(replayed));
    const actions = logs.filter((l) => l.event === 'exchange_error').map((l) => l.detail['action']);
    expect(actions).toContain('resync');
    expect(actions).toContain('backoff');
    expect(actions).toContain('retry');
    expect(logs.some((l) => l.event === 'order_adopted')).toBe(true);
    expect(backfilled).toBeGreaterThanOrEqual(7);
    expect(logs.filter((l) => l.event === 'feed_gap_backfilled').length).toBeGreaterThanOrEqual(2);
    // Each client order id was accepted once, however often it was sent.
    const accepted = sim.requests.filter((r) => r.method === 'POST' && r.status === 200 && /Order$/.test(r.path)).map((r) => r.params['newClientOrderId'] ?? r.params['clientAlgoId']);
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(sim.requests.some((r) => r.code === -4116)).toBe(true);
    // The Retry-After second was honoured before the retry.
    const limited = sim.requests.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    const retried = sim.requests.slice(limited + 1).find((r) => r.path === sim.requests[limited]!.path && r.method === 'POST')!;
    expect(retried.at - sim.requests[limited]!.at).toBeGreaterThanOrEqual(950);
    // Secrets never reach the logs.
    const text = JSON.stringify(logs);
    expect(text).not.toContain(SIM_KEY);
    expect(text).not.toContain(SIM_SECRET);
  });

  it('a user data stream dropped just before a stop-loss or take-profit fills: bars wait, the missed fill is recovered from REST, the trade journaled as in the replay', async () => {
    const exit = tradesOf(replayed)[0]!;
    // Drop the stream two bars before the bar whose close stamps the exit fill.
    const bar = (exit.ts - FROM) / 60_000 - 3;
    const { live, logs } = await run({}, { [bar]: [{ kind: 'drop-ws', target: 'user' }] });
    expect(logs.some((l) => l.event === 'user_stream_disconnected')).toBe(true);
    expect(logs.find((l) => l.event === 'fills_recovered')?.detail['fills']).toBeGreaterThanOrEqual(1);
    expect(decisionsOf(live)).toEqual(decisionsOf(replayed));
    expect(tradesOf(live)).toEqual(tradesOf(replayed));
  });

  it('journals a rejected order (insufficient margin) once, without retrying it, and trades on afterwards', async () => {
    const { live, sim } = await run({}, { 0: [{ kind: 'reject-order', code: -2019 }] }, 1200);
    const rejected = decisionsOf(live).filter((d) => d.outcome === 'ORDER_REJECTED');
    expect(rejected).toHaveLength(1);
    const detail = rejected[0]!.detail ?? '';
    expect(detail).toMatch(/INSUFFICIENT_MARGIN/);
    const id = `xy-${rejected[0]!.ts}-E`;
    expect(sim.requests.filter((r) => r.params['newClientOrderId'] === id)).toHaveLength(1);
    expect(live.some((r) => r.type === 'order' && r.order.clientOrderId === id && r.order.status === 'REJECTED')).toBe(true);
    expect(live.some((r) => r.type === 'heartbeat' && r.outcome === 'ORDER_PLACED' && r.ts > rejected[0]!.ts)).toBe(true);
  });

  it('paper mode (dry_run: true): the live feed with simulated fills trades as the replay (funding at the base rate)', async () => {
    const { live, sim } = await run({ dry_run: true }, {});
    expect(decisionsOf(live)).toEqual(decisionsOf(replayed));
    // Paper charges Binance's base funding rate (0.01 %/8 h); the replay charged the stored rates. All else is equal.
    const withoutFunding = (records: readonly JournalRecord[]) => tradesOf(records).map((t) => ({ ...t, funding: 0 }));
    expect(withoutFunding(live)).toEqual(withoutFunding(replayed));
    expect(tradesOf(live).some((t) => t.type === 'trade' && t.funding !== 0)).toBe(true);
    expect(sim.requests.some((r) => r.path.includes('order') || r.path.includes('Order'))).toBe(false);
  });
});
