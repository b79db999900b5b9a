import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../../engine/index.ts';
import { maxDrawdown } from '../../../../research/index.ts';
import { JournalStore } from '../../../test/journalStore.ts';
import { equityCurve } from './equityCurve.ts';

const journals = new JournalStore();
afterAll(() => journals.cleanup());

const T0 = Date.UTC(2024, 0, 1);
const BAR = 300_000;
const equityRecords = (equity: number[], marks: number[]): JournalRecord[] =>
  equity.map((e, i) => ({ type: 'equity', ts: T0 + i * BAR, equity: e, wallet: e, quantity: i % 3 === 0 ? 0 : 0.1, markPrice: marks[i]! }));

describe('equityCurve (downsampled in SQL)', () => {
  it('keeps what the chart must not lose (to its rounding): the last equity, every low and high, the worst drawdown, buy and hold', async () => {
    const store = await journals.store();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0.9, max: 1.1, noNaN: true }), { minLength: 2, maxLength: 600 }),
        fc.integer({ min: 2, max: 120 }),
        async (steps, buckets) => {
          const equity: number[] = [];
          const marks: number[] = [];
          steps.forEach((s, i) => {
            equity.push((equity[i - 1] ?? 10_000) * s);
            marks.push((marks[i - 1] ?? 40_000) * (2 - s));
          });
          const runId = await journals.run(equityRecords(equity, marks));
          const curve = await equityCurve(store, runId, buckets);
          expect(curve.points).toBe(equity.length);
          expect(curve.ts.length).toBeLessThanOrEqual(buckets);
          // Time order, last point exact.
          for (let i = 1; i < curve.ts.length; i++) expect(curve.ts[i]).toBeGreaterThan(curve.ts[i - 1]!);
          expect(curve.ts.at(-1)).toBe(T0 + (equity.length - 1) * BAR);
          expect(curve.equity.at(-1)).toBeCloseTo(equity.at(-1)!, 4);
          // Each bucket's equity lies within its low and high, and together they span the whole curve.
          curve.equity.forEach((e, i) => {
            expect(curve.low[i]).toBeLessThanOrEqual(e);
            expect(curve.high[i]).toBeGreaterThanOrEqual(e);
          });
          expect(Math.min(...curve.low)).toBeCloseTo(Math.min(...equity), 4);
          expect(Math.max(...curve.high)).toBeCloseTo(Math.max(...equity), 4);
          // The deepest bucket drawdown is the run's max drawdown (research/metrics' definition).
          const depth = maxDrawdown(equity.map((_, i) => T0 + i * BAR), equity).depth;
          expect(-Math.min(...curve.drawdown)).toBeCloseTo(depth, 7);
          // Buy and hold at the last point: the same start equity carried by the mark price.
          expect(curve.buyHold.at(-1)).toBeCloseTo((equity[0]! * marks.at(-1)!) / marks[0]!, 3);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('returns a short run whole, point for point', async () => {
    const equity = [10_000, 10_100, 9_900, 10_050];
    const runId = await journals.run(equityRecords(equity, [1, 1, 1, 1]));
    const curve = await equityCurve(await journals.store(), runId, 100);
    expect(curve.equity).toEqual(equity);
    expect(curve.ts).toEqual(equity.map((_, i) => T0 + i * BAR));
    [0, 0, 9_900 / 10_100 - 1, 10_050 / 10_100 - 1].forEach((d, i) => expect(curve.drawdown[i]).toBeCloseTo(d, 7));
  });

  it('is empty for a run without equity records', async () => {
    const runId = await journals.run([]);
    const curve = await equityCurve(await journals.store(), runId);
    expect(curve).toMatchObject({ points: 0, ts: [], equity: [] });
  });
});
