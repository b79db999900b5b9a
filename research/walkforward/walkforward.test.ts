import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/index.ts';
import { Store } from '../../data/index.ts';
import { computeFeatures, forwardReturnLabels } from '../../engine/index.ts';
import { getModel } from '../../model-servers/registry/index.ts';
import { buildTrainingSet, type ZooModel } from '../../model-servers/zoo/index.ts';
import { runXylen } from '../../test/runXylen.ts';
import { loadReplayData } from '../replay/loadReplayData.ts';
import { createSyntheticStore } from '../test/syntheticStore.ts';
import { planFolds } from './planFolds.ts';
import { runWalkforward } from './runWalkforward.ts';
import { getWalkforward } from './walkforwardTables.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2024, 8, 1);
const FIVE = 5 * MIN;

let dir: string;
let db: string;

beforeAll(async () => {
  ({ dir, db } = await createSyntheticStore('xylen-walkforward-', { start: START, end: START + 34 * DAY, seed: 17 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('walk-forward folds', () => {
  it('property: each training window ends a decision bar before the embargo, test windows follow in steps and stay inside the range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 200 }), // train, in hours
        fc.integer({ min: 1, max: 60 }), // test, in hours
        fc.integer({ min: 1, max: 60 }), // step, in hours
        fc.integer({ min: 0, max: 8 }), // embargo, in hours
        fc.integer({ min: 0, max: 2000 }), // range beyond the first fold, in hours
        (train, test, step, embargo, extra) => {
          const from = START;
          const to = from + (train + test + extra) * 3_600_000;
          const folds = planFolds({ from, to, trainMs: train * 3_600_000, testMs: test * 3_600_000, stepMs: step * 3_600_000, embargoMs: embargo * 3_600_000, decisionMs: FIVE });
          expect(folds.length).toBeGreaterThan(0);
          folds.forEach((f, k) => {
            expect(f.index).toBe(k);
            expect(f.trainFrom).toBe(from + k * step * 3_600_000);
            expect(f.testFrom).toBe(f.trainFrom + train * 3_600_000);
            expect(f.trainTo).toBe(f.testFrom - embargo * 3_600_000 - FIVE);
            expect(f.trainTo).toBeGreaterThan(f.trainFrom);
            expect(f.testTo).toBeLessThanOrEqual(to);
            expect(f.testTo - f.testFrom).toBeGreaterThanOrEqual(FIVE);
            expect(f.testTo - f.testFrom).toBeLessThanOrEqual(test * 3_600_000);
          });
          // No further fold would have a test window.
          const next = from + folds.length * step * 3_600_000 + train * 3_600_000;
          expect(Math.min(next + test * 3_600_000, to) - next).toBeLessThan(FIVE);
          // With step = test the test windows tile the period without gaps or overlaps.
          if (step === test) folds.slice(1).forEach((f, k) => expect(f.testFrom).toBe(folds[k]!.testTo));
        },
      ),
    );
  });

  it('rejects windows that leave nothing to train on or test', () => {
    expect(() => planFolds({ from: START, to: START + 10 * DAY, trainMs: DAY, testMs: DAY, embargoMs: DAY, decisionMs: FIVE })).toThrow(/embargo/);
    expect(() => planFolds({ from: START, to: START + 5 * DAY, trainMs: 10 * DAY, testMs: DAY, embargoMs: 0, decisionMs: FIVE })).toThrow(/too short/);
    expect(() => planFolds({ from: START, to: START + 5 * DAY, trainMs: DAY, testMs: MIN, embargoMs: 0, decisionMs: FIVE })).toThrow(/--test/);
  });

  it('purges: no training label of the trainer ends at or after the test start minus the embargo, and it would without the purge', async () => {
    const embargoMs = 3 * 3_600_000;
    const [fold] = planFolds({ from: START + DAY, to: START + 30 * DAY, trainMs: 12 * DAY, testMs: 4 * DAY, embargoMs, decisionMs: FIVE });
    const store = await Store.open(db, { readOnly: true });
    try {
      const request = { market: 'synthetic' as const, symbol: 'BTCUSDT', decisionInterval: '5m' as const, contextInterval: '1h' as const, features: ['ret_1', 'ret_3', 'rsi_14'] };
      const horizon = 48; // four hours of 5m bars: longer than the embargo, so the purge has work to do
      // Labels over all the data (through the test window): what a leaky trainer could have used.
      const full = await loadReplayData(store, { ...request, from: fold!.trainFrom, to: fold!.testTo });
      const matrix = computeFeatures(full.decision, full.context, { decisionInterval: '5m', contextInterval: '1h' });
      const labels = forwardReturnLabels(matrix.time, full.decision.close.subarray(0, matrix.rows), horizon, FIVE);
      const labelEnd = (decisionTime: number) => labels.time[matrix.time.indexOf(decisionTime)]!;

      // The trainer's own training set for the fold (all three of its splits are training data here).
      const purged = await buildTrainingSet(store, { ...request, from: fold!.trainFrom, to: fold!.trainTo, label: { kind: 'forward-return', horizon } });
      expect(purged.test.to).toBeGreaterThan(purged.train.from);
      // Forward-return labels end in the order of their rows: the last row's label ends last.
      expect(labelEnd(purged.test.to)).toBeLessThan(fold!.testFrom - embargoMs);
      expect(labelEnd(purged.test.to)).toBeLessThanOrEqual(fold!.trainTo);

      // Control: ending the training data at the test start lets labels run into the embargo and the test window.
      const leaky = await buildTrainingSet(store, { ...request, from: fold!.trainFrom, to: fold!.testFrom, label: { kind: 'forward-return', horizon } });
      expect(labelEnd(leaky.test.to)).toBeGreaterThanOrEqual(fold!.testFrom - embargoMs);
    } finally {
      store.close();
    }
  });
});

describe('runWalkforward', () => {
  it('retrains per fold, replays each test window out of sample, stitches the equity and stores it all', async () => {
    const models: ZooModel[] = [
      { id: 'trend', kind: 'logreg', features: ['ret_12', 'ema_dist_21', 'macd_hist_rel'], label: { kind: 'forward-return', horizon: 12 } },
      { id: 'barrier', kind: 'logreg', features: ['ret_1', 'rsi_14', 'bb_pctb_20'], label: { kind: 'triple-barrier', horizon: 24 } },
    ];
    const config = configSchema.parse({ market: 'synthetic', ensemble: { threshold: 0.2, quorum: 1 } });
    const embargoMs = 2 * 3_600_000;
    const store = await Store.open(db);
    let outcome;
    try {
      outcome = await runWalkforward(store, {
        market: 'synthetic',
        symbol: 'BTCUSDT',
        from: START + DAY,
        to: START + 34 * DAY,
        trainMs: 15 * DAY,
        testMs: 6 * DAY,
        embargoMs,
        models,
        config,
        modelsDir: join(dir, 'models'),
        createdAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
      });
      expect(outcome.folds).toHaveLength(3);
      for (const fold of outcome.folds) {
        expect(fold.labelEndMax).not.toBeNull();
        expect(fold.labelEndMax!).toBeLessThan(fold.testFrom - embargoMs);
        for (const m of fold.models) {
          const record = await getModel(store, m.modelId, m.version);
          expect(record.trainingFrom!).toBeGreaterThanOrEqual(fold.trainFrom);
          expect(record.trainingTo!).toBeLessThan(fold.trainTo);
        }
      }
    } finally {
      store.close();
    }
    // Each test window starts from the equity the one before ended with, so the fold returns compound to the total.
    outcome.folds.slice(1).forEach((f, k) => expect(f.startEquity).toBe(outcome.folds[k]!.endEquity));
    const compounded = outcome.folds.reduce((g, f) => g * (f.endEquity / f.startEquity), 1) - 1;
    expect(outcome.metrics.totalReturn!).toBeCloseTo(compounded, 9);
    expect(outcome.metrics.trades).toBe(outcome.folds.reduce((n, f) => n + f.metrics.trades, 0));
    expect(outcome.metrics.start).toBe(outcome.folds[0]!.metrics.start);
    expect(outcome.metrics.end).toBe(outcome.folds.at(-1)!.metrics.end);

    const reader = await Store.open(db, { readOnly: true });
    try {
      const stored = await getWalkforward(reader, outcome.wfId);
      expect(stored.status).toBe('complete');
      expect(stored.metrics).toEqual(outcome.metrics);
      expect(stored.folds.map((f) => f.labelEndMax)).toEqual(outcome.folds.map((f) => f.labelEndMax));
      expect(stored.folds.map((f) => f.metrics)).toEqual(outcome.folds.map((f) => f.metrics));
      // The stitched curve: in time order, inside the test windows, ending at the final equity.
      expect(stored.equity.length).toBeGreaterThan(3 * 6 * 288 - 10);
      stored.equity.slice(1).forEach((e, i) => expect(e.ts).toBeGreaterThan(stored.equity[i]!.ts));
      for (const e of stored.equity) {
        const fold = stored.folds[e.fold]!;
        expect(e.ts).toBeGreaterThan(fold.testFrom);
        expect(e.ts).toBeLessThanOrEqual(fold.testTo);
      }
      expect(stored.equity.at(-1)!.equity).toBe(outcome.folds.at(-1)!.endEquity);
    } finally {
      reader.close();
    }

    const shown = await runXylen(['walkforward', 'show', outcome.wfId, '--db', db]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`walk-forward ${outcome.wfId} (complete)`);
    expect(shown.stdout.split('\n').filter((l) => /^\s+[012]\s+2024-/.test(l))).toHaveLength(3);
    const listed = JSON.parse((await runXylen(['walkforward', 'ls', '--db', db, '--json'])).stdout) as { wfId: string }[];
    expect(listed.map((w) => w.wfId)).toContain(outcome.wfId);
    const bad = await runXylen(['walkforward', '--train', '15x', '--test', '6d', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[BAD_DURATION]: --train: "15x" is not a duration');
  });
});
