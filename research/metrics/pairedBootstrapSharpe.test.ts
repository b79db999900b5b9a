import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, XylenError } from '../../engine/index.ts';
import { bootstrapSharpe } from './bootstrapSharpe.ts';
import { pairedBootstrapSharpe } from './pairedBootstrapSharpe.ts';
import { sharpeRatio } from './returnRatios.ts';

const noise = (seed: number, periods: number, sd = 0.01): Float64Array => {
  const rng = new Rng(seed);
  return Float64Array.from({ length: periods }, () => sd * rng.normal());
};
const plus = (series: Float64Array, drift: number): Float64Array => series.map((r) => r + drift);

describe('paired bootstrap of a Sharpe ratio difference', () => {
  it('reports the two sample Sharpe ratios as sharpeRatio does, and their difference', () => {
    const a = plus(noise(1, 400), 0.001);
    const b = plus(noise(2, 400), 0.0002);
    const result = pairedBootstrapSharpe(a, b, { seed: 7, perYear: 365 })!;
    expect(result.sharpeA).toBe(sharpeRatio(a, 365));
    expect(result.sharpeB).toBe(sharpeRatio(b, 365));
    expect(result.difference).toBe(result.sharpeA - result.sharpeB);
    expect(result).toMatchObject({ level: 0.95, resamples: 2000, blockLength: 20, periods: 400 });
    expect(result.lo).toBeLessThan(result.hi);
  });

  it('finds no difference between a strategy and itself', () => {
    const a = plus(noise(3, 300), 0.0005);
    const result = pairedBootstrapSharpe(a, a, { seed: 1, resamples: 300 })!;
    expect(result.difference).toBe(0);
    expect(result.lo).toBe(0);
    expect(result.hi).toBe(0);
    expect(result.pValue).toBe(1);
  });

  it('is antisymmetric: swapping the runs negates the difference and mirrors the interval, same p-value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 30, max: 200 }), fc.double({ min: -0.002, max: 0.002, noNaN: true }), (seed, periods, drift) => {
        const a = plus(noise(seed, periods), drift);
        const b = noise(seed + 1, periods);
        const ab = pairedBootstrapSharpe(a, b, { seed, resamples: 200 })!;
        const ba = pairedBootstrapSharpe(b, a, { seed, resamples: 200 })!;
        expect(ba.difference).toBeCloseTo(-ab.difference, 12);
        expect(ba.lo).toBeCloseTo(-ab.hi, 12);
        expect(ba.hi).toBeCloseTo(-ab.lo, 12);
        expect(ba.pValue).toBe(ab.pValue);
        expect(ab.pValue).toBeGreaterThan(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
      }),
      { numRuns: 25 },
    );
  });

  it('pairing matters: a small edge over the same market noise is clear, though each Sharpe interval alone overlaps the other', () => {
    // Both strategies see the same returns; a earns 1 bp more per period. Alone, each Sharpe ratio is uncertain by far
    // more than the gap, but the bootstrap draws the same periods for both, so the gap itself is measured precisely.
    const market = plus(noise(5, 1000), 0.0002);
    const a = plus(market, 0.0001);
    const result = pairedBootstrapSharpe(a, market, { seed: 2 })!;
    expect(result.difference).toBeGreaterThan(0);
    expect(result.lo).toBeGreaterThan(0);
    expect(result.pValue).toBeLessThan(0.01);
    const alone = bootstrapSharpe(a, { seed: 2 })!;
    expect(alone.lo).toBeLessThan(result.sharpeB);
  });

  it('with independent iid runs and block length 1, the interval is as wide as the asymptotic one', () => {
    // Independent iid normal returns: Var(SR_a − SR_b) = (1 + SR_a²/2)/T + (1 + SR_b²/2)/T per period (Lo 2002).
    const T = 2000;
    const a = plus(noise(11, T), 0.0005);
    const b = plus(noise(12, T), 0.0002);
    const result = pairedBootstrapSharpe(a, b, { seed: 3, blockLength: 1 })!;
    const expected = 2 * 1.959964 * Math.sqrt((2 + result.sharpeA ** 2 / 2 + result.sharpeB ** 2 / 2) / T);
    expect((result.hi - result.lo) / expected).toBeGreaterThan(0.85);
    expect((result.hi - result.lo) / expected).toBeLessThan(1.15);
  });

  it('is calibrated: two runs with the same true Sharpe ratio are rarely called different at 5 %', () => {
    let rejected = 0;
    const trials = 40;
    for (let seed = 1; seed <= trials; seed++) {
      const a = plus(noise(100 + seed, 300), 0.0005);
      const b = plus(noise(500 + seed, 300), 0.0005);
      if (pairedBootstrapSharpe(a, b, { seed, resamples: 400 })!.pValue < 0.05) rejected++;
    }
    // 5 % expected, i.e. 2 of 40; 6 or more would be a badly miscalibrated test (binomial tail ≈ 1.6 %).
    expect(rejected).toBeLessThanOrEqual(5);
  });

  it('is deterministic per seed', () => {
    const a = plus(noise(21, 200), 0.001);
    const b = noise(22, 200);
    const one = pairedBootstrapSharpe(a, b, { seed: 9, resamples: 300 });
    expect(pairedBootstrapSharpe(a, b, { seed: 9, resamples: 300 })).toEqual(one);
    expect(pairedBootstrapSharpe(a, b, { seed: 10, resamples: 300 })!.lo).not.toBe(one!.lo);
  });

  it('is null without Sharpe ratios and rejects misaligned series and bad options, naming them', () => {
    const flat = [0.01, 0.01, 0.01];
    expect(pairedBootstrapSharpe(flat, [0.01, 0.02, 0.03], { seed: 1 })).toBeNull();
    const a = noise(1, 100);
    const error = (() => {
      try {
        pairedBootstrapSharpe(a, a.subarray(1), { seed: 1 });
      } catch (e) {
        return e as XylenError;
      }
    })();
    expect(error).toBeInstanceOf(XylenError);
    expect(error!.code).toBe('RETURNS_NOT_ALIGNED');
    expect(() => pairedBootstrapSharpe([0.01], [0.02], { seed: 1 })).toThrow(/at least 2/);
    expect(() => pairedBootstrapSharpe(a, a, { seed: 1, level: 0 })).toThrow(/between 0 and 1/);
    expect(() => pairedBootstrapSharpe(a, a, { seed: 1, resamples: 50 })).toThrow(/≥ 100/);
    expect(() => pairedBootstrapSharpe(a, a, { seed: 1, blockLength: 101 })).toThrow(/block length/);
    expect(() => pairedBootstrapSharpe([0.01, 0.02], [0.01, Number.NaN], { seed: 1 })).toThrow(/return 1 of series b is NaN/);
  });
});
