import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { importSynthetic } from '../../data/synth/index.ts';
import { MemoryJournal } from '../../engine/index.ts';
import { runXylen } from '../../test/runXylen.ts';
import { journalHash } from '../journal/journalHash.ts';
import { readJournal } from '../journal/readJournal.ts';
import { loadReplayData } from './loadReplayData.ts';
import { replayInputs } from './replayInputs.ts';
import { syntheticInputs, testConfig } from './test/syntheticInputs.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-determinism-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replayed(seed: number, days: number, config: ReturnType<typeof testConfig>): Promise<MemoryJournal> {
  const journal = new MemoryJournal();
  // Fresh inputs each time: nothing may carry over between runs through shared arrays.
  await replayInputs(syntheticInputs({ seed, days }), config, journal);
  return journal;
}

const configs = fc.record({
  method: fc.constantFrom('weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority'),
  threshold: fc.double({ min: 0, max: 0.9, noNaN: true }),
  sizing: fc.constantFrom('fixed_fraction', 'kelly', 'fixed_amount'),
  fraction: fc.double({ min: 0.005, max: 0.5, noNaN: true }),
  stopLoss: fc.double({ min: 0.002, max: 0.05, noNaN: true }),
  takeProfit: fc.double({ min: 0.002, max: 0.1, noNaN: true }),
  stopMode: fc.constantFrom('pct', 'atr', 'ensemble'),
  leverage: fc.integer({ min: 1, max: 50 }),
});

describe('replay determinism', () => {
  it('two replays of the same inputs and config write identical journals', async () => {
    const config = testConfig({ ensemble: { threshold: 0.3 } });
    const [a, b] = [await replayed(11, 3, config), await replayed(11, 3, config)];
    expect(a.ofType('fill').length).toBeGreaterThan(0); // a journal with trading in it, not just holds
    expect(journalHash(b.records)).toBe(journalHash(a.records));
    expect(b.records).toStrictEqual(a.records);
  });

  it('the journal hash changes when the inputs do (it is not blind to content)', async () => {
    const config = testConfig({ ensemble: { threshold: 0.3 } });
    expect(journalHash((await replayed(12, 2, config)).records)).not.toBe(journalHash((await replayed(13, 2, config)).records));
  });

  it('property: any config and any synthetic market replay to the same journal twice', async () => {
    let withOrders = 0;
    await fc.assert(
      fc.asyncProperty(configs, fc.integer({ min: 1, max: 1_000_000 }), async (c, seed) => {
        const config = testConfig({
          ensemble: { method: c.method, threshold: c.threshold },
          sizing: { method: c.sizing, fraction: c.fraction },
          risk: { stop_mode: c.stopMode, stop_loss_pct: c.stopLoss, take_profit_pct: c.takeProfit, leverage: c.leverage, max_leverage: 50 },
        });
        const [a, b] = [await replayed(seed, 2, config), await replayed(seed, 2, config)];
        if (a.ofType('order').length > 0) withOrders++;
        expect(journalHash(b.records)).toBe(journalHash(a.records));
        expect(b.records).toStrictEqual(a.records);
      }),
      { numRuns: 15, seed: 20_240_110 },
    );
    // The property ran over replays that traded, not only over ones that held throughout.
    expect(withOrders).toBeGreaterThan(3);
  });

  it('`xylen replay --json` twice on one store prints the same journalHash under different run ids, and the in-memory hash', async () => {
    const db = join(dir, 'replay.duckdb');
    const from = Date.UTC(2024, 2, 1);
    const to = from + 4 * 86_400_000;
    const store = await Store.open(db);
    try {
      await importSynthetic(store, { symbol: 'BTCUSDT', start: from - 3 * 86_400_000, end: to, interval: '1m', seed: 5, price: 60_000 });
    } finally {
      store.close();
    }
    const args = ['--db', db, 'replay', '--market', 'synthetic', '--from', String(from), '--to', String(to), '--json'];
    const runs = [await runXylen(args), await runXylen(args)];
    const [first, second] = runs.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { runId: string; journalHash: string; bars: number };
    });
    expect(first!.bars).toBe(4 * 1440);
    expect(second!.runId).not.toBe(first!.runId);
    expect(second!.journalHash).toBe(first!.journalHash);

    // The stored hash is the hash of the records the engine wrote: replaying the same stored period in memory gives it.
    const readOnly = await Store.open(db, { readOnly: true });
    try {
      const inputs = await loadReplayData(readOnly, { market: 'synthetic', symbol: 'BTCUSDT', from, to, decisionInterval: '5m', contextInterval: '1h' });
      const journal = new MemoryJournal();
      await replayInputs(inputs, testConfig(), journal);
      expect(journalHash(journal.records)).toBe(first!.journalHash);

      // The first run stored the period's feature matrix, the second referred to it: one set, stored once, and
      // both journals read back to what the engine wrote.
      expect(await readOnly.all(`SELECT count(DISTINCT feature_set)::INTEGER AS sets, count(*)::INTEGER AS runs FROM runs WHERE feature_set IS NOT NULL`)).toEqual([{ sets: 1, runs: 2 }]);
      const [{ stored, rows }] = (await readOnly.all(`SELECT (SELECT count(*) FROM feature_rows)::INTEGER AS stored, (SELECT rows FROM feature_sets) AS rows`)) as [{ stored: number; rows: number }];
      expect(stored).toBe(rows);
      expect(rows).toBeGreaterThan(4 * 288);
      expect(await readOnly.all(`SELECT count(*)::INTEGER AS n FROM heartbeats WHERE features IS NOT NULL`)).toEqual([{ n: 0 }]);
      for (const run of [first!, second!]) expect(journalHash(await readJournal(readOnly, run.runId))).toBe(first!.journalHash);
    } finally {
      readOnly.close();
    }
  });
});
