import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { probabilisticSharpeRatio, sharpeMoments } from './probabilisticSharpe.ts';

// 20 daily returns; the reference numbers below come from an independent computation with numpy 2 / scipy 1.17.1:
// sr = r.mean() / r.std(ddof=1); g3 = scipy.stats.skew(r); g4 = scipy.stats.kurtosis(r, fisher=False);
// psr = norm.cdf((sr - b) * sqrt(len(r) - 1) / sqrt(1 - g3*sr + (g4 - 1)/4*sr**2)).
const returns = [
  0.012, -0.004, 0.021, 0.003, -0.015, 0.008, 0.017, -0.002, 0.005, 0.011, -0.009, 0.026, 0.001, -0.006, 0.014, 0.004, -0.011, 0.019,
  0.007, -0.001,
];

describe('Probabilistic Sharpe Ratio', () => {
  it('computes the moments as scipy does', () => {
    const m = sharpeMoments(returns)!;
    expect(m.count).toBe(20);
    expect(m.sharpe).toBeCloseTo(0.4471194749905499, 12);
    expect(m.skewness).toBeCloseTo(0.06255475938217933, 12);
    expect(m.kurtosis).toBeCloseTo(2.19169812604156, 12);
    expect(sharpeMoments([0.01, 0.01, 0.01])).toBeNull();
  });

  it('matches the scipy computation within 1e-9', () => {
    const m = sharpeMoments(returns)!;
    expect(Math.abs(probabilisticSharpeRatio(m) - 0.9724999395164824)).toBeLessThan(1e-9);
    expect(Math.abs(probabilisticSharpeRatio(m, 0.1) - 0.9318499313357143)).toBeLessThan(1e-9);
    expect(Math.abs(probabilisticSharpeRatio(m, 0.5) - 0.41023360060853437)).toBeLessThan(1e-9);
  });

  it('matches a hand computation for normal returns', () => {
    // SR = 0.1, n = 101, γ3 = 0, γ4 = 3: z = 0.1·√100 / √(1 + (3 − 1)/4·0.01) = 1 / √1.005 = 0.9975093361076329;
    // Φ(z) from scipy: norm.cdf(1/sqrt(1.005)) = 0.8407413278013518.
    const psr = probabilisticSharpeRatio({ count: 101, sharpe: 0.1, skewness: 0, kurtosis: 3 });
    expect(Math.abs(psr - 0.8407413278013518)).toBeLessThan(1e-9);
  });

  it('the Bailey & López de Prado (2014) worked example: SR 2.5 a year over 1,250 days, γ3 = −3, γ4 = 10', () => {
    // Per-day SR = 2.5/√250. Against SR* = 0.1132 per day (the paper's expected maximum of 100 trials) the paper reports
    // DSR = 0.9004; scipy gives 0.9003968344493903 for SR* = 0.11317200186513214 (see deflatedSharpe.test.ts).
    const psr = probabilisticSharpeRatio({ count: 1250, sharpe: 2.5 / Math.sqrt(250), skewness: -3, kurtosis: 10 }, 0.11317200186513214);
    expect(Math.abs(psr - 0.9003968344493903)).toBeLessThan(1e-9);
    expect(psr).toBeCloseTo(0.9004, 4);
  });

  const momentsArb = fc.record({
    count: fc.integer({ min: 2, max: 10_000 }),
    sharpe: fc.double({ min: -1, max: 1, noNaN: true }),
    skewness: fc.double({ min: -2, max: 2, noNaN: true }),
    excess: fc.double({ min: 0, max: 20, noNaN: true }),
  }).map(({ count, sharpe, skewness, excess }) => ({ count, sharpe, skewness, kurtosis: 1 + skewness * skewness + excess }));

  it('is certain when the moments sit on the bound γ4 = 1 + γ3² with γ3·SR = 2 (zero spread)', () => {
    const m = { count: 30, sharpe: 1, skewness: 2, kurtosis: 5 };
    expect(probabilisticSharpeRatio(m, 1)).toBe(0.5);
    expect(probabilisticSharpeRatio(m, 0.9)).toBe(1);
    expect(probabilisticSharpeRatio(m, 1.1)).toBe(0);
  });

  it('is a probability, 0.5 at its own Sharpe ratio, and falls as the benchmark rises', () => {
    fc.assert(
      fc.property(momentsArb, fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 1e-3, max: 1, noNaN: true }), (m, b, step) => {
        const psr = probabilisticSharpeRatio(m, b);
        expect(psr).toBeGreaterThanOrEqual(0);
        expect(psr).toBeLessThanOrEqual(1);
        expect(probabilisticSharpeRatio(m, m.sharpe)).toBe(0.5);
        expect(probabilisticSharpeRatio(m, b + step)).toBeLessThanOrEqual(psr);
      }),
    );
  });
});
