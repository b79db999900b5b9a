// The GBDT trainer: its first split against a brute-force search, determinism, fitting a separable problem,
// early stopping, missing values, and refusing bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import { logLoss, modelToOnnx, predictGbdt, trainGbdt, type TrainedModelCard } from './index.ts';
import { syntheticClasses } from './test/syntheticClasses.ts';

const CARD: Omit<TrainedModelCard, 'features'> = {
  id: 'determinism',
  version: 1,
  kind: 'gbdt',
  classes: ['short', 'hold', 'long'],
  createdAt: '2024-01-01T00:00:00.000Z',
  training: { from: 0, to: 0, rows: 0, metrics: { logLoss: 0, accuracy: 0 } },
  label: { kind: 'forward-return', horizon: 12, tp: 0.002, sl: 0.002 },
};

/**
 * The best stump by reading the definition literally: every feature, every threshold between distinct present
 * values, missing cells left or right; gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), children need H ≥ mcw.
 */
function bruteForceBestGain(X: number[][], g: number[], h: number[], lambda: number, mcw: number): number {
  const score = (G: number, H: number) => (G * G) / (H + lambda);
  const sum = (rows: number[], v: number[]) => rows.reduce((s, r) => s + v[r]!, 0);
  const all = X.map((_, r) => r);
  const parent = score(sum(all, g), sum(all, h));
  let best = 0;
  for (let f = 0; f < X[0]!.length; f++) {
    const values = [...new Set(X.map((row) => row[f]!).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
    const missing = all.filter((r) => Number.isNaN(X[r]![f]!));
    const thresholds = [...values.slice(1), ...(missing.length > 0 ? [Infinity] : [])];
    for (const t of thresholds) {
      const below = all.filter((r) => X[r]![f]! < t);
      for (const left of [below, [...below, ...missing]]) {
        const right = all.filter((r) => !left.includes(r));
        if (left.length === 0 || right.length === 0) continue;
        const [HL, HR] = [sum(left, h), sum(right, h)];
        if (HL < mcw || HR < mcw) continue;
        best = Math.max(best, score(sum(left, g), HL) + score(sum(right, g), HR) - parent);
      }
    }
  }
  return best;
}

describe('trainGbdt', () => {
  it('splits the root where a brute-force search finds the largest gain, with leaves −G/(H+λ)·η (property)', () => {
    const cell = fc.oneof(fc.constant(NaN), fc.integer({ min: -3, max: 3 }).map((v) => v / 2));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, cell, fc.integer({ min: 0, max: 1 })), { minLength: 4, maxLength: 40 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (rows, lambda) => {
          const X = Float32Array.from(rows.flatMap(([a, b]) => [a, b]));
          const y = Uint8Array.from(rows.map(([, , label]) => label));
          const model = trainGbdt(X, y, rows.length, 2, { rounds: 1, maxDepth: 1, eta: 0.5, lambda, minChildWeight: 0.1 });
          const tree = model.trees[0]!;
          // Binary: one tree on class 1 at the prior margin, so every row has the same p and XGBoost's logistic gradients.
          const p = 1 / (1 + Math.exp(-model.baseMargin[1]!));
          const g = rows.map(([, , label]) => p - label);
          const h = rows.map(() => p * (1 - p));
          const best = bruteForceBestGain(
            rows.map(([a, b]) => [a, b]),
            g,
            h,
            lambda,
            0.1,
          );
          if (tree.feature[0]! < 0) {
            expect(best).toBeLessThanOrEqual(1e-6);
            return;
          }
          const goesLeft = rows.map(([a, b]) => {
            const v = [a, b][tree.feature[0]!]!;
            return Number.isNaN(v) ? tree.defaultLeft[0] === 1 : v < tree.threshold[0]!;
          });
          const side = (left: boolean) => rows.map((_, r) => r).filter((r) => goesLeft[r] === left);
          const G = (rs: number[]) => rs.reduce((s, r) => s + g[r]!, 0);
          const H = (rs: number[]) => rs.reduce((s, r) => s + h[r]!, 0);
          const [L, R] = [side(true), side(false)];
          const gain = G(L) ** 2 / (H(L) + lambda) + G(R) ** 2 / (H(R) + lambda) - (G(L) + G(R)) ** 2 / (H(L) + H(R) + lambda);
          expect(gain).toBeCloseTo(best, 9);
          expect(tree.value[tree.left[0]!]).toBeCloseTo(Math.fround((-G(L) / (H(L) + lambda)) * 0.5), 6);
          expect(tree.value[tree.right[0]!]).toBeCloseTo(Math.fround((-G(R) / (H(R) + lambda)) * 0.5), 6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same model bytes for the same seed and data, other bytes for another seed (row subsampling)', () => {
    const { X, y } = syntheticClasses(3000, 6, 11, 0.05);
    const features = ['a', 'b', 'c', 'd', 'e', 'f'];
    const bytes = (seed: number) => modelToOnnx(trainGbdt(X, y, 3000, 6, { rounds: 15, subsample: 0.7, seed }), { ...CARD, features });
    const first = bytes(5);
    expect(Buffer.from(bytes(5)).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(bytes(6)).equals(Buffer.from(first))).toBe(false);
  });

  it('learns a separable problem to near-zero loss', () => {
    const { X } = syntheticClasses(2000, 3, 12);
    // The class is a function of two thresholds: 0 left of x0 = 0.3, else 1 or 2 by the sign of x1.
    const y = Uint8Array.from({ length: 2000 }, (_, r) => (X[r * 3]! < 0.3 ? 0 : X[r * 3 + 1]! < 0 ? 1 : 2));
    const model = trainGbdt(X, y, 2000, 3, { rounds: 200, maxDepth: 3, eta: 0.3 });
    expect(logLoss(predictGbdt(model, X, 2000), y, 2000, 3)).toBeLessThan(0.01);
  });

  it('stops once the validation loss has not improved for `earlyStoppingRounds` rounds, keeping the best round', () => {
    const { X, y } = syntheticClasses(4000, 4, 13);
    const valid = syntheticClasses(2000, 4, 14);
    const model = trainGbdt(X, y, 4000, 4, { rounds: 500, maxDepth: 6, eta: 0.5, validation: { ...valid, rows: 2000 }, earlyStoppingRounds: 7 });
    const history = model.validLogLoss;
    const best = history.indexOf(Math.min(...history));
    expect(model.roundsGrown).toBeLessThan(500);
    expect(history).toHaveLength(model.roundsGrown);
    expect(model.roundsGrown).toBe(best + 1 + 7);
    expect(model.rounds).toBe(best + 1);
    expect(model.trees).toHaveLength(model.rounds * 3);
    // The kept trees reproduce the best validation loss: truncation kept the right rounds.
    expect(logLoss(predictGbdt(model, valid.X, 2000), valid.y, 2000, 3)).toBeCloseTo(history[best]!, 9);
  });

  it('learns from missingness itself and sends missing values the way the training rows went', () => {
    const rows = 2000;
    const X = new Float32Array(rows * 2);
    const y = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      const v = (r % 100) / 100;
      // Class 1 when x0 is missing or above 0.5; x1 is noise, missing at random.
      X[r * 2] = r % 3 === 0 ? NaN : v;
      X[r * 2 + 1] = r % 7 === 0 ? NaN : ((r * 37) % 101) / 101;
      y[r] = r % 3 === 0 || v > 0.5 ? 1 : 0;
    }
    const model = trainGbdt(X, y, rows, 2, { rounds: 50, maxDepth: 2 });
    const probe = Float32Array.of(NaN, 0.5, 0.1, 0.5, 0.9, NaN, NaN, NaN);
    const p = predictGbdt(model, probe, 4);
    expect(p[1]).toBeGreaterThan(0.95); // x0 missing → class 1
    expect(p[3]).toBeLessThan(0.05); // x0 low → class 0
    expect(p[5]).toBeGreaterThan(0.95); // x0 high, x1 missing
    expect(p[7]).toBeGreaterThan(0.95);
  });

  it('refuses bad shapes, labels, infinite cells and parameters as input errors naming the place', () => {
    const { X, y } = syntheticClasses(100, 2, 15);
    const cases: [() => unknown, RegExp][] = [
      [() => trainGbdt(X, y, 100, 3), /needs 300 feature cells .* got 200/],
      [() => trainGbdt(X, y.subarray(0, 99), 100, 2), /99/],
      [() => trainGbdt(X, Uint8Array.from(y, (v, i) => (i === 42 ? 7 : v)), 100, 2, { classes: 3 }), /row 42 has label 7; labels are class indices 0 … 2/],
      [() => trainGbdt(Float32Array.from(X, (v, i) => (i === 9 ? Infinity : v)), y, 100, 2), /row 4 feature 1 is infinite/],
      [() => trainGbdt(X, Int8Array.from(y, (v, i) => (i === 3 ? -1 : v)), 100, 2), /row 3 has label -1/],
      [() => trainGbdt(X, y, 100, 2, { eta: 0 }), /eta must be/],
      [() => trainGbdt(X, y, 100, 2, { maxDepth: 2.5 }), /maxDepth must be/],
      [() => trainGbdt(X, y, 100, 2, { subsample: 1.5 }), /subsample must be/],
      [() => trainGbdt(X, y, 100, 2, { validation: { X, y, rows: 50 } }), /validation set/],
    ];
    for (const [attempt, message] of cases) {
      const error = (() => {
        try {
          attempt();
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(XylenError);
      expect((error as XylenError).exitCode).toBe(2);
      expect((error as XylenError).message).toMatch(message);
      expect((error as XylenError).where).toBeTruthy();
    }
  });
});
