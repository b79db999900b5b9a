import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../../engine/index.ts';
import { JournalStore } from '../../../test/journalStore.ts';
import { decisionPage, journalPage } from './journalPages.ts';

const journals = new JournalStore();
const T0 = Date.UTC(2024, 0, 1);
const BAR = 300_000;
const MODELS = ['momentum', 'mean_reversion', 'macd'];
const N = 137;
const OUTCOMES = ['ORDER_PLACED', 'ORDER_REJECTED', 'RISK_DENIED', 'HALTED', 'IN_POSITION', 'BELOW_THRESHOLD', 'HOLD', 'NO_QUORUM'] as const;
const actionOf = (i: number) => (['long', 'short', 'hold'] as const)[i % 3]!;
const outcomeOf = (i: number) => OUTCOMES[(i * 7) % OUTCOMES.length]!;

/** N heartbeats, each with three votes and a decision, a trade every 10th. */
function journal(): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (let i = 0; i < N; i++) {
    const ts = T0 + i * BAR;
    records.push({
      type: 'heartbeat',
      ts,
      row: i,
      close: 100,
      features: Float64Array.of(i, -i),
      equity: 1000,
      wallet: 1000,
      quantity: 0,
      markPrice: 100,
      votes: MODELS.map((model, m) => ({ model, action: actionOf(i + m), confidence: (i % 10) / 10, weight: 1 + m / 10 })),
      action: actionOf(i),
      confidence: 0.5,
      scores: { long: 0.5, short: 0.2, hold: 0.3 },
      outcome: outcomeOf(i),
    });
    if (i % 10 === 9) {
      records.push({ type: 'trade', ts, side: 'long', entryTs: ts - 5 * BAR, entryPrice: 100, exitPrice: 101, quantity: 1, pnl: 1, fees: 0.1, funding: 0, exitReason: 'TAKE_PROFIT' });
    }
  }
  return records;
}

let runId: string;
beforeAll(async () => {
  runId = await journals.run(journal());
});
afterAll(() => journals.cleanup());

describe('decisionPage (paged in SQL)', () => {
  it('pages through every decision exactly once, in order, whatever the page size', async () => {
    const store = await journals.store();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 10, max: 60 }), async (size) => {
        const first = await decisionPage(store, runId, MODELS, { size, page: 1 });
        expect(first.total).toBe(N);
        expect(first.pages).toBe(Math.ceil(N / size));
        const seen: number[] = [];
        for (let page = 1; page <= first.pages; page++) seen.push(...(await decisionPage(store, runId, MODELS, { size, page })).rows.map((r) => r.ts));
        expect(seen).toEqual(Array.from({ length: N }, (_, i) => T0 + i * BAR));
      }),
      { numRuns: 8 },
    );
  });

  it("attaches each model's vote and weight to its decision, in the manifest's model order", async () => {
    const page = await decisionPage(await journals.store(), runId, ['macd', 'momentum', 'mean_reversion'], { size: 10, page: 3 });
    expect(page.models).toEqual(['macd', 'momentum', 'mean_reversion']);
    for (const row of page.rows) {
      const i = (row.ts - T0) / BAR;
      expect(row.action).toBe(actionOf(i));
      expect(row.outcome).toBe(outcomeOf(i));
      expect(row.votes.map((v) => [v.model, v.action, v.confidence, v.weight])).toEqual(MODELS.map((model, m) => [model, actionOf(i + m), (i % 10) / 10, 1 + m / 10]));
    }
  });

  it('filters by outcome and action, counting over the whole run', async () => {
    const store = await journals.store();
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => outcomeOf(i) === 'RISK_DENIED' && actionOf(i) === 'long');
    const page = await decisionPage(store, runId, MODELS, { outcome: 'RISK_DENIED', action: 'long', size: 100 });
    expect(page.total).toBe(expected.length);
    expect(page.rows.map((r) => (r.ts - T0) / BAR)).toEqual(expected);
    expect(page.outcomes['RISK_DENIED']).toBe(Array.from({ length: N }, (_, i) => i).filter((i) => outcomeOf(i) === 'RISK_DENIED').length);
    expect(Object.values(page.actions).reduce((a, b) => a + b, 0)).toBe(N);
    // An unknown filter value is ignored rather than matching nothing.
    expect((await decisionPage(store, runId, MODELS, { outcome: "x' OR 1=1" })).total).toBe(N);
  });

  it('opens the page that holds a given time, and clamps pages out of range', async () => {
    const store = await journals.store();
    const at = T0 + 77 * BAR + 1;
    const page = await decisionPage(store, runId, MODELS, { size: 25, at });
    expect(page.page).toBe(Math.floor(78 / 25) + 1);
    expect(page.rows.some((r) => r.ts === T0 + 78 * BAR)).toBe(true);
    expect((await decisionPage(store, runId, MODELS, { size: 25, page: 999 })).page).toBe(page.pages);
    expect((await decisionPage(store, runId, MODELS, { size: 5 })).size).toBe(10);
  });
});

describe('journalPage', () => {
  it('pages a plain table with its net PnL', async () => {
    const store = await journals.store();
    const page = await journalPage(store, runId, 'trades', { size: 10, page: 2 });
    expect(page.total).toBe(Math.floor(N / 10));
    expect(page.rows).toHaveLength(Math.floor(N / 10) - 10);
    expect(page.rows[0]).toMatchObject({ side: 'long', exit_reason: 'TAKE_PROFIT', entry_price: 100, ts: T0 + 109 * BAR });
    expect(page.rows[0]!['net']).toBeCloseTo(0.9, 12);
    expect((await journalPage(store, runId, 'funding')).total).toBe(0);
  });
});
