import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inverseNormalCdf, normalCdf } from './normalDistribution.ts';

// Reference values: scipy 1.17.1, scipy.stats.norm.cdf / norm.ppf (an independent implementation, Cephes ndtr/ndtri),
// printed with repr() on this machine.
const CDF: [number, number][] = [
  [-10, 7.61985302416047e-24],
  [-8, 6.22096057427174e-16],
  [-5, 2.866515718791933e-7],
  [-3, 0.0013498980316300933],
  [-1.96, 0.024997895148220435],
  [-1, 0.15865525393145707],
  [-0.5, 0.3085375387259869],
  [0, 0.5],
  [0.3, 0.6179114221889526],
  [1, 0.8413447460685429],
  [2, 0.9772498680518208],
  [3.5, 0.9997673709209645],
  [7.5, 0.9999999999999681],
];
const PPF: [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-12, -7.034483825301131],
  [1e-6, -4.753424308822899],
  [0.001, -3.090232306167813],
  [0.01, -2.3263478740408408],
  [0.02425, -1.972961051311885],
  [0.1, -1.2815515655446004],
  [0.5, 0],
  [0.9, 1.2815515655446004],
  [0.975, 1.959963984540054],
  [0.99, 2.3263478740408408],
  [0.999999, 4.753424308817087],
];

describe('normal distribution', () => {
  it('Φ matches scipy to 1e-14 absolute, and the lower tail to 1e-8 relative', () => {
    for (const [x, expected] of CDF) {
      expect(Math.abs(normalCdf(x) - expected)).toBeLessThan(1e-14);
      if (x < 0) expect(Math.abs(normalCdf(x) / expected - 1)).toBeLessThan(1e-8);
    }
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('Φ⁻¹ matches scipy to 1e-9 relative (the tails are bounded by the accuracy of Φ there)', () => {
    for (const [p, expected] of PPF) {
      const x = inverseNormalCdf(p);
      expect(Math.abs(x - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    }
    expect(inverseNormalCdf(0)).toBe(-Infinity);
    expect(inverseNormalCdf(1)).toBe(Infinity);
    expect(inverseNormalCdf(1.5)).toBeNaN();
    expect(inverseNormalCdf(-0.1)).toBeNaN();
  });

  it('Φ is symmetric and Φ⁻¹ inverts it', () => {
    fc.assert(
      fc.property(fc.double({ min: -7, max: 5, noNaN: true }), (x) => {
        expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
        expect(inverseNormalCdf(normalCdf(x))).toBeCloseTo(x, 8);
      }),
    );
  });

  it('Φ rises with x', () => {
    fc.assert(
      fc.property(fc.double({ min: -9, max: 9, noNaN: true }), fc.double({ min: 1e-6, max: 1, noNaN: true }), (x, step) => {
        expect(normalCdf(x + step)).toBeGreaterThanOrEqual(normalCdf(x));
      }),
    );
  });
});
