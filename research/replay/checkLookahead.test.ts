import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../data/index.ts';
import { featureColumn, MemoryJournal, type BatchModel } from '../../engine/index.ts';
import { checkLookahead, type ReplayRunner } from './checkLookahead.ts';
import type { ReplayInputs } from './loadReplayData.ts';
import { perturbInputs } from './perturbInputs.ts';
import { replayInputs } from './replayInputs.ts';
import { stampedOneBarEarly, syntheticInputs, testConfig } from './test/syntheticInputs.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const config = testConfig({ ensemble: { threshold: 0.3 }, risk: { stop_loss_pct: 0.005, take_profit_pct: 0.008 } });
const inputsBySeed = new Map<number, ReplayInputs>();
const inputsFor = (seed: number) => inputsBySeed.get(seed) ?? inputsBySeed.set(seed, syntheticInputs({ seed, days: 3 })).get(seed)!;

function candleSeries(inputs: ReplayInputs): [string, CandleColumns, number][] {
  const ms = { '1m': MINUTE, '5m': 5 * MINUTE, '1h': 60 * MINUTE } as Record<string, number>;
  return [
    ['base', inputs.base, ms[inputs.baseInterval]!],
    ['decision', inputs.decision, ms[inputs.decisionInterval]!],
    ['context', inputs.context!, ms[inputs.contextInterval]!],
  ];
}

describe('perturbInputs', () => {
  it('property: changes every candle closing after t and every later funding, keeps the rest, and every candle stays valid', () => {
    const inputs = inputsFor(1);
    fc.assert(
      fc.property(fc.integer({ min: inputs.warmupFrom, max: inputs.to + DAY }), fc.integer({ min: 0, max: 2 ** 31 }), (t, seed) => {
        const { inputs: out, counts } = perturbInputs(inputs, t, seed);
        const changed: Record<string, number> = {};
        const wrong: string[] = [];
        for (const [[name, before, ms], [, after]] of candleSeries(inputs).map((s, i) => [s, candleSeries(out)[i]!] as const)) {
          changed[name] = 0;
          expect(after.openTime).toBe(before.openTime);
          for (let i = 0; i < before.length; i++) {
            const known = before.openTime[i]! + ms <= t;
            const same = (['open', 'high', 'low', 'close', 'volume'] as const).every((k) => after[k][i] === before[k][i]);
            if (!known) changed[name]++;
            if (known !== same || (!known && after.close[i] === before.close[i])) wrong.push(`${name} ${i}: known ${known}, unchanged ${same}`);
            const [open, high, low, close, volume] = [after.open[i]!, after.high[i]!, after.low[i]!, after.close[i]!, after.volume[i]!];
            if (!(0 < low && low <= open && low <= close && open <= high && close <= high && volume >= 0)) wrong.push(`${name} ${i}: not a valid candle`);
          }
        }
        expect(wrong.slice(0, 5)).toEqual([]);
        expect(counts).toEqual({ ...changed, funding: counts.funding });
        let laterFunding = 0;
        for (let k = 0; k < inputs.funding.length; k++) {
          const known = inputs.funding.fundingTime[k]! <= t;
          if (!known) laterFunding++;
          expect(out.funding.rate[k] === inputs.funding.rate[k]).toBe(known);
        }
        expect(counts.funding).toBe(laterFunding);
      }),
      { numRuns: 25 },
    );
  });
});

describe('checkLookahead', () => {
  it('property: the engine passes at random times t, while the records after t do change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 3),
        fc.integer({ min: 30 * MINUTE, max: 2.5 * DAY }),
        fc.integer({ min: 0, max: 1000 }),
        async (marketSeed, offset, seed) => {
          const inputs = inputsFor(marketSeed);
          const t = inputs.from + offset;
          const result = await checkLookahead(inputs, config, t, { seed });
          expect(result.difference).toBeUndefined();
          expect(result.status).toBe('PASS');
          expect(result.compared).toBeGreaterThan(0);
          expect(result.perturbed.base).toBeGreaterThan(0);
          expect(result.futureChanged).toBe(true);
        },
      ),
      { numRuns: 20, seed: 31 },
    );
  });

  it('passes at the very close where an order is placed: the order is compared, its fill on the next bar is not', async () => {
    const inputs = inputsFor(2);
    const journal = new MemoryJournal();
    await replayInputs(inputs, config, journal);
    const placed = journal.ofType('heartbeat').find((d) => d.outcome === 'ORDER_PLACED' && d.ts > inputs.from + DAY);
    expect(placed, 'a decision that placed an order').toBeDefined();
    const t = placed!.ts;
    const entry = journal.ofType('order').find((o) => o.ts === t && o.order.clientOrderId.endsWith('-E'))!;
    expect(journal.ofType('fill').find((f) => f.fill.clientOrderId === entry.order.clientOrderId)!.ts).toBeGreaterThan(t);

    const result = await checkLookahead(inputs, config, t, { seed: 9 });
    expect(result.status).toBe('PASS');
    expect(result.compared).toBe(journal.records.filter((r) => r.ts <= t).length);
    expect(result.futureChanged).toBe(true);
  });

  it('says when the run halted trading before t (later decisions test less), and not otherwise', async () => {
    const inputs = inputsFor(2);
    const halting = testConfig({ ...config, sizing: { fraction: 0.05 }, risk: { leverage: 20, stop_loss_pct: 0.005, take_profit_pct: 0.005, max_drawdown_pct: 0.03, daily_loss_limit_pct: 0 } });
    const journal = new MemoryJournal();
    await replayInputs(inputs, halting, journal);
    const halt = journal.ofType('risk').find((r) => r.event.effect === 'HALTED');
    expect(halt, 'a drawdown shutdown').toBeDefined();
    const after = await checkLookahead(inputs, halting, halt!.ts + 3_600_000);
    expect([after.status, after.haltedAt]).toEqual(['PASS', halt!.ts]);
    expect((await checkLookahead(inputs, halting, halt!.ts - 60_000)).haltedAt).toBeUndefined();
  });

  it('catches decision candles stamped at their open (each decision sees the candle that has not closed yet)', async () => {
    const inputs = inputsFor(1);
    const stampedAtOpen: ReplayRunner = (i, c, j) => replayInputs({ ...i, decision: stampedOneBarEarly(i.decision) }, c, j);
    const t = inputs.from + DAY + 17 * MINUTE;
    const result = await checkLookahead(inputs, config, t, { replay: stampedAtOpen });
    expect(result.status).toBe('FAIL');
    // The first record to differ is the heartbeat of the last decision at or before t: its candle closed after t.
    expect(result.difference!.expected).toMatchObject({ type: 'heartbeat', ts: t - 2 * MINUTE });
    expect(result.difference!.actual).toMatchObject({ type: 'heartbeat', ts: t - 2 * MINUTE });
    expect(result.difference!.actual).not.toStrictEqual(result.difference!.expected);
  });

  it('catches a model that peeks at the next row (look-ahead inside a model, not the data)', async () => {
    const inputs = inputsFor(2);
    // Votes long when the NEXT decision bar's return is up: a classic leak from a label-shifted training set.
    const peeking: BatchModel = {
      name: 'peeking',
      features: ['ret_1'],
      predictBatch(matrix) {
        const ret = featureColumn(matrix, 'ret_1');
        const action = new Int8Array(matrix.rows);
        const confidence = new Float64Array(matrix.rows);
        for (let r = 0; r + 1 < matrix.rows; r++) {
          if (!Number.isFinite(ret[r + 1]!)) continue;
          action[r] = ret[r + 1]! > 0 ? 1 : -1;
          confidence[r] = 0.9;
        }
        return { action, confidence };
      },
    };
    const solo = testConfig({ ensemble: { threshold: 0.5, quorum: 1 } });
    const leaky: ReplayRunner = (i, c, j) => replayInputs(i, c, j, { models: [peeking] });
    const t = inputs.from + DAY + 42 * MINUTE;
    const result = await checkLookahead(inputs, solo, t, { replay: leaky });
    expect(result.status).toBe('FAIL');
    expect(result.difference!.expected).toMatchObject({ type: 'heartbeat', votes: [{ model: 'peeking' }] });
    const { expected, actual } = result.difference!;
    if (expected?.type === 'heartbeat' && actual?.type === 'heartbeat') {
      expect(actual.features).toStrictEqual(expected.features); // the data at t is the same: only the model's vote moved
      expect(actual.votes).not.toStrictEqual(expected.votes);
    }
    expect(result.difference!.expected!.ts).toBeLessThanOrEqual(t);
  });

  it('catches 1h context features taken from the hour still open', async () => {
    const inputs = inputsFor(3);
    const openHour: ReplayRunner = (i, c, j) => replayInputs({ ...i, context: stampedOneBarEarly(i.context!) }, c, j);
    const t = inputs.from + DAY + 30 * MINUTE;
    const result = await checkLookahead(inputs, config, t, { replay: openHour });
    expect(result.status).toBe('FAIL');
    expect(result.difference!.expected!.type).toBe('heartbeat');
    expect(result.difference!.expected!.ts).toBeLessThanOrEqual(t);
  });
});
