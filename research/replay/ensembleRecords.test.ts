import { describe, expect, it } from 'vitest';
import { ensembleFor, MemoryJournal, ModelRecord, type HeartbeatRecord, type Vote } from '../../engine/index.ts';
import { replayInputs } from './replayInputs.ts';
import { syntheticInputs, testConfig } from './test/syntheticInputs.ts';

describe('adaptive ensemble weights in a replay', () => {
  it("follow the record of the votes that placed each trade's entry, as the journal shows them", async () => {
    const config = testConfig({ ensemble: { method: 'weighted_vote', threshold: 0.3 }, risk: { max_drawdown_pct: 0.9 } });
    const journal = new MemoryJournal();
    await replayInputs(syntheticInputs({ seed: 11, days: 20 }), config, journal);

    const { weights } = ensembleFor(config).options;
    const records = new Map<string, ModelRecord>();
    const recordOf = (model: string) => {
      if (!records.has(model)) records.set(model, new ModelRecord(config.ensemble.window, config.ensemble.decay));
      return records.get(model)!;
    };
    const entries: { ts: number; votes: readonly Vote[] }[] = [];
    let trades = 0;
    let weighed = 0;
    for (const r of journal.records) {
      if (r.type === 'heartbeat') {
        const beat = r as HeartbeatRecord;
        for (const v of beat.votes) {
          expect(v.weight, `${v.model} at ${beat.ts}`).toBeCloseTo((weights[v.model] ?? 1) * recordOf(v.model).weightMultiplier(), 12);
          if (recordOf(v.model).count > 0) weighed++;
        }
        if (beat.outcome === 'ORDER_PLACED') entries.push({ ts: beat.ts, votes: beat.votes });
      } else if (r.type === 'trade') {
        // The trade's entry was placed by the last decision that placed an order before it opened.
        const entry = entries.filter((e) => e.ts <= r.entryTs).at(-1)!;
        const net = r.pnl - r.fees + r.funding;
        const right = net > 0 ? r.side : r.side === 'long' ? 'short' : 'long';
        for (const v of entry.votes) if (v.action !== 'hold') recordOf(v.model).record(v.action === right);
        trades++;
      }
    }
    // Trades closed and later votes carried weights other than 1: the comparison tested something.
    expect(trades).toBeGreaterThan(5);
    expect(weighed).toBeGreaterThan(100);
  });
});
