import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import { deflatedSharpeRatio, expectedMaxSharpe } from './deflatedSharpe.ts';
import { probabilisticSharpeRatio } from './probabilisticSharpe.ts';

describe('Deflated Sharpe Ratio', () => {
  it('reproduces the worked example of Bailey & López de Prado (2014)', () => {
    // The paper's numerical example: N = 100 trials whose annualised Sharpe ratios have variance 1/2, 1,250 daily
    // returns (250 a year), selected SR 2.5 a year, γ3 = −3, γ4 = 10. It reports SR* ≈ 0.1132 per day and
    // DSR ≈ 0.9004. The unrounded figures come from the same formulas in scipy 1.17.1 (norm.ppf, norm.cdf):
    // SR* = 0.11317200186513214 per day (1.7894064662732077 a year), DSR = 0.9003968344493903.
    // Checked again with Debian's scipy 1.10.1 (norm.ppf, norm.cdf): the same digits. statsReference.test.ts runs that
    // check live on generated returns, for PSR, DSR and PBO.
    const benchmark = expectedMaxSharpe(0.5 / 250, 100);
    expect(Math.abs(benchmark - 0.11317200186513214)).toBeLessThan(1e-9);
    expect(benchmark).toBeCloseTo(0.1132, 4);
    expect(Math.abs(benchmark * Math.sqrt(250) - 1.7894064662732077)).toBeLessThan(1e-9);
    const dsr = probabilisticSharpeRatio({ count: 1250, sharpe: 2.5 / Math.sqrt(250), skewness: -3, kurtosis: 10 }, benchmark);
    expect(Math.abs(dsr - 0.9003968344493903)).toBeLessThan(1e-6);
    expect(dsr).toBeCloseTo(0.9004, 4);
  });

  it('matches a hand computation for two trials', () => {
    // Trials' Sharpe ratios 0.1 and 0.3: V = (0.1² + 0.1²)/(2 − 1) = 0.02. With N = 2, Φ⁻¹(1 − 1/2) = 0, so
    // SR* = √0.02 · γ · Φ⁻¹(1 − 1/(2e)) = 0.1414214 · 0.5772157 · Φ⁻¹(0.8160602794142788);
    // scipy: norm.ppf(0.8160602794142788) = 0.9004525966377902, SR* = 0.07350450569975131.
    // Selected SR 0.3, n = 50, γ3 = −0.5, γ4 = 5: z = (0.3 − SR*)·7 / √(1 + 0.15 + 0.09) = 1.4237927081524944,
    // scipy: norm.cdf(z) = 0.9227467564234975.
    const result = deflatedSharpeRatio({ count: 50, sharpe: 0.3, skewness: -0.5, kurtosis: 5 }, [0.1, 0.3]);
    expect(result.trials).toBe(2);
    expect(result.trialSharpeVariance).toBeCloseTo(0.02, 15);
    expect(Math.abs(result.benchmark - 0.07350450569975131)).toBeLessThan(1e-12);
    expect(Math.abs(result.dsr - 0.9227467564234975)).toBeLessThan(1e-9);
  });

  it('is PSR(0) for a single trial, where the asymptotic formula degenerates', () => {
    const moments = { count: 50, sharpe: 0.3, skewness: -0.5, kurtosis: 5 };
    const single = deflatedSharpeRatio(moments, [0.3]);
    expect(single.benchmark).toBe(0);
    // PSR(0) by hand via scipy: norm.cdf(0.3·7/√1.24) = 0.9703427967648227.
    expect(Math.abs(single.dsr - 0.9703427967648227)).toBeLessThan(1e-9);
    expect(single.dsr).toBe(probabilisticSharpeRatio(moments, 0));
  });

  it('falls as the number of trials rises, everything else fixed', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 0.1, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (variance, trials, more, sharpe) => {
          const moments = { count: 500, sharpe, skewness: 0, kurtosis: 3 };
          const fewer = probabilisticSharpeRatio(moments, expectedMaxSharpe(variance, trials));
          const many = probabilisticSharpeRatio(moments, expectedMaxSharpe(variance, trials + more));
          expect(expectedMaxSharpe(variance, trials + more)).toBeGreaterThan(expectedMaxSharpe(variance, trials));
          expect(many).toBeLessThanOrEqual(fewer);
          expect(many).toBeGreaterThanOrEqual(0);
          expect(fewer).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('rejects a trial count or variance that is not one', () => {
    expect(() => expectedMaxSharpe(0.01, 0)).toThrow(XylenError);
    expect(() => expectedMaxSharpe(0.01, 2.5)).toThrow(/positive integer/);
    expect(() => expectedMaxSharpe(-1, 10)).toThrow(/variance/);
    expect(() => expectedMaxSharpe(Number.NaN, 10)).toThrow(/variance/);
  });
});
