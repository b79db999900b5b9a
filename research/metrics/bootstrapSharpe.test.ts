import { describe, expect, it } from 'vitest';
import { Rng, XylenError } from '../../engine/index.ts';
import { bootstrapSharpe } from './bootstrapSharpe.ts';
import { sharpeRatio } from './returnRatios.ts';

const normalReturns = (seed: number, periods: number, mean = 0.0005, sd = 0.01): Float64Array => {
  const rng = new Rng(seed);
  return Float64Array.from({ length: periods }, () => mean + sd * rng.normal());
};

/** AR(1) returns r_t = φ·r_{t−1} + ε_t: serially dependent, which an iid bootstrap ignores. */
const autocorrelated = (seed: number, periods: number, phi: number): Float64Array => {
  const rng = new Rng(seed);
  const out = new Float64Array(periods);
  for (let t = 0; t < periods; t++) out[t] = (t > 0 ? phi * out[t - 1]! : 0) + 0.0005 + 0.01 * rng.normal();
  return out;
};

const width = (interval: { lo: number; hi: number } | null): number => interval!.hi - interval!.lo;

describe('bootstrap Sharpe interval', () => {
  it('contains the sample Sharpe ratio, which it reports as sharpeRatio does', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const returns = normalReturns(seed, 500);
      const interval = bootstrapSharpe(returns, { seed, perYear: 365 })!;
      expect(interval.sharpe).toBe(sharpeRatio(returns, 365));
      expect(interval.lo).toBeLessThan(interval.sharpe);
      expect(interval.hi).toBeGreaterThan(interval.sharpe);
      expect(interval.blockLength).toBe(22); // round(√500)
      expect(interval.level).toBe(0.95);
      expect(interval.resamples).toBe(2000);
    }
  });

  it('narrows as the sample grows, about as 1/√T', () => {
    const short = width(bootstrapSharpe(normalReturns(9, 250), { seed: 1 }));
    const long = width(bootstrapSharpe(normalReturns(9, 4000), { seed: 1 }));
    expect(long).toBeLessThan(short);
    // √(4000/250) = 4: allow for sampling noise in both widths.
    expect(short / long).toBeGreaterThan(2.5);
    expect(short / long).toBeLessThan(6);
  });

  it('with block length 1 matches the asymptotic iid width', () => {
    // For iid normal returns the standard error of the per-period Sharpe ratio is √((1 + SR²/2) / T) (Lo 2002,
    // "The Statistics of Sharpe Ratios"), so the 95 % interval is about 2 · 1.959964 · that wide.
    const returns = normalReturns(11, 2000, 0.0005, 0.01);
    const interval = bootstrapSharpe(returns, { seed: 3, blockLength: 1 })!;
    const expected = 2 * 1.959964 * Math.sqrt((1 + interval.sharpe ** 2 / 2) / 2000);
    expect(width(interval) / expected).toBeGreaterThan(0.85);
    expect(width(interval) / expected).toBeLessThan(1.15);
  });

  it('keeps serial dependence: positively autocorrelated returns get a wider interval than the iid bootstrap gives', () => {
    const returns = autocorrelated(21, 3000, 0.5);
    const stationary = width(bootstrapSharpe(returns, { seed: 4 }));
    const iid = width(bootstrapSharpe(returns, { seed: 4, blockLength: 1 }));
    // An AR(1) with φ = 0.5 has a long-run variance of the mean (1 + φ)/(1 − φ) = 3 times the iid one: √3 ≈ 1.7 in width.
    expect(stationary / iid).toBeGreaterThan(1.3);
  });

  it('is deterministic per seed and depends on it', () => {
    const returns = normalReturns(13, 300);
    const a = bootstrapSharpe(returns, { seed: 99, resamples: 500 });
    expect(bootstrapSharpe(returns, { seed: 99, resamples: 500 })).toEqual(a);
    expect(bootstrapSharpe(returns, { seed: 100, resamples: 500 })!.lo).not.toBe(a!.lo);
  });

  it('narrows with a lower level', () => {
    const returns = normalReturns(17, 400);
    const wide = bootstrapSharpe(returns, { seed: 5, level: 0.99 })!;
    const narrow = bootstrapSharpe(returns, { seed: 5, level: 0.8 })!;
    expect(narrow.lo).toBeGreaterThan(wide.lo);
    expect(narrow.hi).toBeLessThan(wide.hi);
  });

  it('is null for returns without a Sharpe ratio and rejects bad options', () => {
    expect(bootstrapSharpe([0.01, 0.01, 0.01], { seed: 1 })).toBeNull();
    const returns = normalReturns(1, 100);
    expect(() => bootstrapSharpe([0.01], { seed: 1 })).toThrow(/at least 2/);
    expect(() => bootstrapSharpe(returns, { seed: 1, level: 1 })).toThrow(/between 0 and 1/);
    expect(() => bootstrapSharpe(returns, { seed: 1, resamples: 10 })).toThrow(/≥ 100/);
    expect(() => bootstrapSharpe(returns, { seed: 1, blockLength: 0 })).toThrow(XylenError);
    expect(() => bootstrapSharpe([0.01, Number.NaN, 0.02], { seed: 1 })).toThrow(/return 1 is NaN/);
  });
});
