import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annualVolatility, compoundAnnualGrowth, periodReturns, periodsPerYear, sharpeRatio, sortinoRatio, YEAR_MS } from './returnRatios.ts';

// Reference values: quantopian/empyrical, empyrical/tests/test_stats.py (test_sharpe_ratio, test_sortino,
// test_annual_volatility, test_annual_ret), daily returns annualised on 252 periods; its NaN is dropped here as
// empyrical's nanmean/nanstd drop it.
const DAILY = 252;
const pct = (values: number[]) => values.map((v) => v / 100);
const positive = pct([1, 2, 1, 1, 1, 1, 1, 1, 1]);
const negative = pct([0, -6, -7, -1, -9, -2, -6, -8, -5]);
const mixed = pct([1, 10, -4, 2, 3, 2, 1, -10]);

describe('return ratios', () => {
  it('Sharpe matches empyrical', () => {
    expect(sharpeRatio(positive, DAILY)).toBeCloseTo(52.915026221291804, 8);
    expect(sharpeRatio(negative, DAILY)).toBeCloseTo(-24.406808633910085, 8);
    expect(sharpeRatio(mixed, DAILY)).toBeCloseTo(1.7238613961706866, 8);
    expect(sharpeRatio([0.01], DAILY)).toBeNull();
    expect(sharpeRatio([0.01, 0.01, 0.01], DAILY)).toBeNull();
  });

  it('Sortino matches empyrical and the Red Rock Capital worked example', () => {
    expect(sortinoRatio(mixed, DAILY)).toBeCloseTo(2.605531251673693, 8);
    expect(sortinoRatio(negative, DAILY)).toBeCloseTo(-13.532743075043401, 8);
    // Rollinger & Hoffman, "Sortino: a 'sharper' ratio" (Red Rock Capital): annual returns, target 0,
    // average 10 %, target downside deviation 2.26 %, Sortino 4.417.
    expect(sortinoRatio(pct([17, 15, 23, -5, 12, 9, 13, -4]), 1)).toBeCloseTo(4.417, 3);
    expect(sortinoRatio(positive, DAILY)).toBeNull();
  });

  it('volatility and CAGR match empyrical', () => {
    expect(annualVolatility(mixed, DAILY)).toBeCloseTo(0.9136465399704637, 8);
    // empyrical's annual_return counts the leading NaN day as a period: 9 days of 1/252 year.
    const total = pct([0, 1, 10, -4, 2, 3, 2, 1, -10]).reduce((acc, r) => acc * (1 + r), 1) - 1;
    expect(compoundAnnualGrowth(total, 9 / DAILY)).toBeCloseTo(1.9135925373194231, 8);
    expect(compoundAnnualGrowth(total, 0)).toBeNull();
  });

  it('annualises on 365 days of bars', () => {
    expect(YEAR_MS).toBe(31_536_000_000);
    expect(periodsPerYear(300_000)).toBe(105_120);
    expect(periodsPerYear(86_400_000)).toBe(365);
  });

  it('periodReturns are simple returns between consecutive values', () => {
    expect(Array.from(periodReturns([100, 110, 99]))).toEqual([0.10000000000000009, -0.09999999999999998]);
    expect(periodReturns([100])).toHaveLength(0);
  });

  // Basis-point returns: no subnormal doubles, whose scaling underflows to zero and says nothing about the ratios.
  const returnsArb = fc.array(fc.integer({ min: -5000, max: 5000 }).map((bp) => bp / 10_000), { minLength: 3, maxLength: 60 });

  it('Sharpe and Sortino do not change when returns are scaled by a positive factor; Sharpe flips sign with them', () => {
    fc.assert(
      fc.property(returnsArb, fc.integer({ min: 1, max: 10_000 }).map((k) => k / 100), (returns, k) => {
        const scaled = returns.map((r) => r * k);
        const sharpe = sharpeRatio(returns, DAILY);
        if (sharpe !== null && Math.abs(sharpe) < 1e6) {
          expect(sharpeRatio(scaled, DAILY)).toBeCloseTo(sharpe, 6);
          expect(sharpeRatio(returns.map((r) => -r), DAILY)).toBeCloseTo(-sharpe, 6);
        }
        const sortino = sortinoRatio(returns, DAILY);
        if (sortino !== null && Math.abs(sortino) < 1e6) expect(sortinoRatio(scaled, DAILY)).toBeCloseTo(sortino, 6);
      }),
    );
  });

  it('Sharpe and Sortino have the sign of the mean return', () => {
    fc.assert(
      fc.property(returnsArb, (returns) => {
        const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
        const sharpe = sharpeRatio(returns, DAILY);
        const sortino = sortinoRatio(returns, DAILY);
        if (sharpe !== null && Math.abs(mean) > 1e-12) expect(Math.sign(sharpe)).toBe(Math.sign(mean));
        if (sortino !== null && Math.abs(mean) > 1e-12) expect(Math.sign(sortino)).toBe(Math.sign(mean));
      }),
    );
  });
});
