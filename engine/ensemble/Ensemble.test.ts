import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENSEMBLE_METHODS, Ensemble, type EnsembleMethod } from './Ensemble.ts';
import { ModelRecord } from './ModelRecord.ts';
import type { Action, Prediction } from './Prediction.ts';

const make = (method: EnsembleMethod, weights: Record<string, number> = {}, quorum = 1) =>
  new Ensemble({ method, quorum, weights, window: 50, decay: 1 });

const preds = (entries: [string, Action, number, Partial<Prediction>?][]) =>
  new Map(entries.map(([name, action, confidence, extra]) => [name, { action, confidence, ...extra }]));

const predictionMap = fc
  .array(fc.tuple(fc.constantFrom<Action>('long', 'short', 'hold'), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 8 })
  .map((list) => new Map(list.map(([action, confidence], i) => [`m${i}`, { action, confidence }])));

describe('Ensemble', () => {
  it('majority: most votes win, confidence is the share, ties hold', () => {
    const e = make('majority');
    expect(e.decide(preds([['a', 'long', 0.1], ['b', 'long', 0.2], ['c', 'short', 0.99]]))).toMatchObject({ action: 'long', confidence: 2 / 3 });
    expect(e.decide(preds([['a', 'long', 0.9], ['b', 'short', 0.9]]))).toMatchObject({ action: 'hold', confidence: 0 });
  });

  it('average_confidence: summed confidence per action over all answering models', () => {
    const d = make('average_confidence').decide(preds([['a', 'long', 0.9], ['b', 'short', 0.3], ['c', 'short', 0.3]]));
    expect(d.action).toBe('long');
    expect(d.scores.long).toBeCloseTo(0.3, 12);
    expect(d.scores.short).toBeCloseTo(0.2, 12);
  });

  it('weighted_vote: configured weights tilt the outcome', () => {
    const input = preds([['a', 'long', 0.8], ['b', 'short', 0.8]]);
    const towardA = make('weighted_vote', { a: 3, b: 1 }).decide(input);
    expect(towardA.action).toBe('long');
    expect(towardA.confidence).toBeCloseTo(0.6, 12); // 3·0.8 / (3 + 1)
    expect(make('weighted_vote', { a: 1, b: 3 }).decide(input).action).toBe('short');
  });

  it('weighted_vote with equal weights and no record equals average_confidence', () => {
    fc.assert(
      fc.property(predictionMap, (p) => {
        const a = make('weighted_vote').decide(p);
        const b = make('average_confidence').decide(p);
        expect(a.action).toBe(b.action);
        expect(a.confidence).toBeCloseTo(b.confidence, 12);
      }),
    );
  });

  it('adaptive weights: a model that has been right outweighs one that has been wrong', () => {
    const e = make('weighted_vote');
    for (let i = 0; i < 10; i++) {
      e.recordOutcome('good', true);
      e.recordOutcome('bad', false);
    }
    expect(e.weightOf('good')).toBeGreaterThan(1.8);
    expect(e.weightOf('bad')).toBeLessThan(0.2);
    expect(e.decide(preds([['good', 'short', 0.6], ['bad', 'long', 0.9]])).action).toBe('short');
  });

  it('bayesian_weighted: a new model is taken at its word, a record pulls it to its hit rate', () => {
    const e = make('bayesian_weighted');
    const lone = e.decide(preds([['a', 'long', 0.8]]));
    expect(lone.action).toBe('long');
    expect(lone.confidence).toBeCloseTo(0.8, 12); // σ(logit 0.8)
    expect(e.decide(preds([['a', 'long', 0.4]]))).toMatchObject({ action: 'hold', confidence: 0 }); // below a coin: no evidence
    for (let i = 0; i < 10; i++) e.recordOutcome('a', false); // q = (10·0.8 + 0) / 20 = 0.4 → clamped to ½
    expect(e.decide(preds([['a', 'long', 0.8]])).action).toBe('hold');
    for (let i = 0; i < 10; i++) e.recordOutcome('b', true); // q = (10·0.6 + 10) / 20 = 0.8
    const d = e.decide(preds([['b', 'short', 0.6], ['c', 'long', 0.7]]));
    // L = −logit(0.8) + logit(0.7) = −ln 4 + ln(7/3)
    expect(d.action).toBe('short');
    expect(d.confidence).toBeCloseTo(1 / (1 + Math.exp(-(Math.log(4) - Math.log(7 / 3)))), 12);
  });

  it('for every method: confidence in [0, 1], order of models irrelevant, mirror votes mirror the action', () => {
    const mirror: Record<Action, Action> = { long: 'short', short: 'long', hold: 'hold' };
    fc.assert(
      fc.property(predictionMap, fc.constantFrom(...ENSEMBLE_METHODS), fc.array(fc.boolean(), { maxLength: 20 }), (p, method, outcomes) => {
        const build = () => {
          const e = make(method);
          outcomes.forEach((hit, i) => e.recordOutcome(`m${i % p.size}`, hit));
          return e;
        };
        const d = build().decide(p);
        expect(d.confidence).toBeGreaterThanOrEqual(0);
        expect(d.confidence).toBeLessThanOrEqual(1);
        const reversed = new Map([...p.entries()].reverse());
        expect(build().decide(reversed)).toEqual(d);
        const mirrored = new Map([...p.entries()].map(([k, v]) => [k, { ...v, action: mirror[v.action] }]));
        const m = build().decide(mirrored);
        expect(m.action).toBe(mirror[d.action]);
        expect(m.confidence).toBeCloseTo(d.confidence, 12);
      }),
    );
  });

  it('unanimous confident votes carry every method (once models have a good record)', () => {
    for (const method of ENSEMBLE_METHODS) {
      const e = make(method);
      for (const m of ['a', 'b', 'c']) e.recordOutcome(m, true);
      expect(e.decide(preds([['a', 'short', 0.8], ['b', 'short', 0.7], ['c', 'short', 0.9]])).action, method).toBe('short');
    }
  });

  it('one ensemble deciding again and again, as different models answer, decides as a new one would', () => {
    // The ensemble keeps its vote slots, their models' records and weights, and the last call's sorted names between
    // calls: a set of the same size with other names must not reuse them.
    const pool = ['a', 'b', 'c', 'd', 'e'];
    const weights = { a: 1, b: 2, c: 0.5, d: 3, e: 1.5 };
    const answers = fc.array(
      fc.subarray(pool, { minLength: 1 }).chain((names) =>
        fc.tuple(...names.map(() => fc.tuple(fc.constantFrom<Action>('long', 'short', 'hold'), fc.double({ min: 0, max: 1, noNaN: true })))).map(
          (votes) => new Map(votes.map(([action, confidence], i) => [names[i]!, { action, confidence }])),
        ),
      ),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...ENSEMBLE_METHODS), answers, (method, calls) => {
        const reused = make(method, weights);
        for (const call of calls) {
          const expected = make(method, weights).decide(call);
          const got = reused.decide(call);
          expect({ ...got, votes: got.votes.map((v) => ({ ...v })), scores: { ...got.scores } }).toEqual({
            ...expected,
            votes: expected.votes.map((v) => ({ ...v })),
            scores: { ...expected.scores },
          });
        }
      }),
    );
  });

  it('below quorum it holds and says why', () => {
    const d = make('majority', {}, 3).decide(preds([['a', 'long', 1], ['b', 'long', 1]]));
    expect(d).toMatchObject({ status: 'NO_QUORUM', action: 'hold' });
    expect(d.votes).toHaveLength(2);
  });

  it('proposes protective levels as the weighted mean of the winning side', () => {
    const d = make('majority').decide(
      preds([
        ['a', 'long', 1, { stopLoss: 90, takeProfit: 120 }],
        ['b', 'long', 1, { stopLoss: 94 }],
        ['c', 'short', 1, { stopLoss: 200 }],
      ]),
    );
    expect(d.stopLoss).toBeCloseTo(92, 12);
    expect(d.takeProfit).toBe(120);
  });
});

describe('ModelRecord', () => {
  it('keeps only the window and decays older outcomes', () => {
    const r = new ModelRecord(3, 0.5);
    for (const hit of [false, false, true, true, false]) r.record(hit);
    expect(r.count).toBe(3);
    // newest first: false (1), true (0.5), true (0.25)
    expect(r.tallies()).toEqual({ hits: 0.75, misses: 1 });
    expect(r.hitRate()).toBeCloseTo(1.75 / 3.75, 12);
    expect(new ModelRecord(5, 1).weightMultiplier()).toBe(1);
  });
});
