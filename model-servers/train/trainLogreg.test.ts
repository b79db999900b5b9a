// Logistic regression: the optimum against a grid search of the objective written out by hand, invariance to
// feature scale (standardisation), a multi-class fit, and refusing missing features.
import { describe, expect, it } from 'vitest';
import { Rng, XylenError } from '../../engine/index.ts';
import { accuracy, predictLogreg, trainLogreg } from './index.ts';
import { syntheticClasses } from './test/syntheticClasses.ts';

describe('trainLogreg', () => {
  it('finds the minimum of the penalised log-loss that a grid search finds on a tiny binary problem', () => {
    // Overlapping classes, so the optimum is finite even with a small penalty.
    const x = [-2, -1.5, -1, -0.5, 0, 0.2, 0.5, 1, 1.5, 2, 2.5, -0.2];
    const label = [0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1];
    const l2 = 0.05;
    const model = trainLogreg(Float32Array.from(x), Uint8Array.from(label), x.length, 1, { l2 });
    expect(model.converged).toBe(true);
    // Two-class softmax is the logistic function of d = w1 − w0 (slope) and c = b1 − b0 on z = (x − mean)/std;
    // the penalty l2/2·(w0² + w1²) is least at w0 = −w1, i.e. l2/4·d².
    const z = x.map((v) => (v - model.mean[0]!) / model.std[0]!);
    const objective = (d: number, c: number) =>
      z.reduce((s, zi, i) => s + Math.log(1 + Math.exp(-(label[i] ? 1 : -1) * (c + d * zi))), 0) / x.length + (l2 / 4) * d * d;
    let best = { d: 0, c: 0, value: Infinity };
    for (let d = -5; d <= 5; d += 0.005) {
      for (let c = -3; c <= 3; c += 0.005) {
        const value = objective(d, c);
        if (value < best.value) best = { d, c, value };
      }
    }
    const d = model.weights[1]! - model.weights[0]!;
    const c = model.bias[1]! - model.bias[0]!;
    expect(objective(d, c)).toBeLessThanOrEqual(best.value + 1e-9);
    expect(d).toBeCloseTo(best.d, 2);
    expect(c).toBeCloseTo(best.c, 2);
    expect(model.weights[0]!).toBeCloseTo(-model.weights[1]!, 5);
  });

  it('predicts the same after a feature is rescaled and shifted (inputs are standardised)', () => {
    const { X, y } = syntheticClasses(3000, 4, 21);
    const scaled = X.map((v, i) => (i % 4 === 2 ? v * 30_000 + 60_000 : v));
    const a = predictLogreg(trainLogreg(X, y, 3000, 4), X, 3000);
    const b = predictLogreg(trainLogreg(scaled, y, 3000, 4), scaled, 3000);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    expect(max).toBeLessThan(1e-3);
  });

  it('fits a three-class linear problem far better than chance', () => {
    const rng = new Rng(22);
    const rows = 3000;
    const X = Float32Array.from({ length: rows * 2 }, () => rng.normal());
    const y = Uint8Array.from({ length: rows }, (_, r) => {
      const s = X[r * 2]! + 0.5 * X[r * 2 + 1]! + 0.3 * rng.normal();
      return s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
    });
    const model = trainLogreg(X, y, rows, 2);
    expect(model.classes).toBe(3);
    expect(accuracy(predictLogreg(model, X, rows), y, rows, 3)).toBeGreaterThan(0.8);
  });

  it('refuses a missing feature as an input error naming the row', () => {
    const { X, y } = syntheticClasses(50, 3, 23);
    X[3 * 17 + 1] = NaN;
    expect(() => trainLogreg(X, y, 50, 3)).toThrow(XylenError);
    expect(() => trainLogreg(X, y, 50, 3)).toThrow(/row 17 feature 1 is NaN/);
  });
});
