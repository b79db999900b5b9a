import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, XylenError } from '../../engine/index.ts';
import { backtestOverfitting } from './backtestOverfitting.ts';
import { sharpeRatio } from './returnRatios.ts';

const noise = (rng: Rng, periods: number, mean = 0, sd = 0.01): Float64Array => Float64Array.from({ length: periods }, () => mean + sd * rng.normal());

/** The paper's procedure written naively: concatenate the rows of each half and rank with sharpeRatio. */
function naiveLogits(columns: number[][], partitions: number): number[] {
  const periods = columns[0]!.length;
  const blockOf = (t: number) => Array.from({ length: partitions }, (_, s) => Math.floor((s * periods) / partitions)).filter((start) => start <= t).length - 1;
  const logits: number[] = [];
  for (let mask = 0; mask < 2 ** partitions; mask++) {
    if (mask.toString(2).split('').filter((bit) => bit === '1').length !== partitions / 2) continue;
    const part = (inSample: boolean) => columns.map((c) => sharpeRatio(c.filter((_, t) => ((mask >> blockOf(t)) & 1) === (inSample ? 1 : 0)), 1) ?? 0);
    const is = part(true);
    const oos = part(false);
    const best = is.indexOf(Math.max(...is));
    const rank = 1 + oos.filter((v) => v < oos[best]!).length + (oos.filter((v) => v === oos[best]!).length - 1) / 2;
    const w = rank / (columns.length + 1);
    logits.push(Math.log(w / (1 - w)));
  }
  return logits;
}

describe('Probability of Backtest Overfitting (CSCV)', () => {
  it('a hand-checked case: S = 2, N = 3, T = 4', () => {
    // Blocks A = periods 0–1, B = periods 2–3. The Sharpe ratio of two returns a, b is ((a+b)/2) / (|a−b|/√2).
    //   config 0: A [0.03, 0.01] → √2,    B [0, −0.02]    → −√2/2
    //   config 1: A [0.02, 0]    → √2/2,  B [0.04, 0.02]  → 3/√2
    //   config 2: A [0.01, −0.01] → 0,    B [0.02, 0]     → √2/2
    // IS = A (mask 0b01): best config 0 (√2); OOS B ranks it 1st of 3 → ω̄ = 1/4, λ = ln(1/3) ≤ 0.
    // IS = B (mask 0b10): best config 1 (3/√2); OOS A: 0 < √2/2 < √2 ranks it 2nd → ω̄ = 1/2, λ = 0 ≤ 0.
    // PBO = 2/2 = 1. Loss probability: only −√2/2 < 0 → 1/2.
    // Scatter (√2, −√2/2), (3/√2, √2/2): slope = √2 / (1/√2) = 2, intercept = −√2/2 − 2√2 = −2.5√2.
    const result = backtestOverfitting(
      [
        [0.03, 0.01, 0, -0.02],
        [0.02, 0, 0.04, 0.02],
        [0.01, -0.01, 0.02, 0],
      ],
      { partitions: 2 },
    );
    expect(Array.from(result.selected)).toEqual([0, 1]);
    expect(result.inSample[0]).toBeCloseTo(Math.SQRT2, 10);
    expect(result.outOfSample[0]).toBeCloseTo(-Math.SQRT1_2, 10);
    expect(result.inSample[1]).toBeCloseTo(3 / Math.SQRT2, 10);
    expect(result.outOfSample[1]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(result.logits[0]).toBeCloseTo(Math.log(1 / 3), 12);
    expect(result.logits[1]).toBe(0);
    expect(result.pbo).toBe(1);
    expect(result.lossProbability).toBe(0.5);
    expect(result.slope).toBeCloseTo(2, 9);
    expect(result.intercept).toBeCloseTo(-2.5 * Math.SQRT2, 9);
  });

  it('agrees with a naive implementation built on sharpeRatio, uneven blocks included', () => {
    const rng = new Rng(7);
    for (const [partitions, periods] of [
      [4, 37],
      [6, 50],
    ] as const) {
      const columns = Array.from({ length: 5 }, () => Array.from(noise(rng, periods)));
      const result = backtestOverfitting(columns, { partitions });
      const expected = naiveLogits(columns, partitions);
      expect(result.logits).toHaveLength(expected.length);
      expected.forEach((logit, i) => expect(result.logits[i]).toBeCloseTo(logit, 9));
    }
  });

  it('pure noise overfits about half the time', () => {
    const rng = new Rng(42);
    const columns = Array.from({ length: 40 }, () => noise(rng, 800));
    const result = backtestOverfitting(columns);
    expect(result.logits).toHaveLength(12_870);
    expect(result.pbo).toBeGreaterThan(0.3);
    expect(result.pbo).toBeLessThan(0.7);
  });

  it('one configuration with a real edge among noise does not overfit', () => {
    const rng = new Rng(43);
    const columns = Array.from({ length: 40 }, (_, j) => noise(rng, 800, j === 17 ? 0.003 : 0));
    const result = backtestOverfitting(columns);
    expect(result.pbo).toBeLessThan(0.05);
    expect(result.selected.filter((j) => j === 17).length).toBeGreaterThan(0.95 * result.selected.length);
    expect(result.lossProbability).toBeLessThan(0.05);
  });

  it('annualising rescales the Sharpe ratios but not the ranks', () => {
    const rng = new Rng(5);
    const columns = Array.from({ length: 6 }, () => noise(rng, 64));
    const daily = backtestOverfitting(columns, { partitions: 4 });
    const yearly = backtestOverfitting(columns, { partitions: 4, perYear: 365 });
    expect(yearly.pbo).toBe(daily.pbo);
    expect(yearly.inSample[2]).toBeCloseTo(daily.inSample[2]! * Math.sqrt(365), 10);
  });

  it('PBO and loss probability are in [0, 1], one logit per split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }), (configs, halfS, seed) => {
        const rng = new Rng(seed);
        const partitions = 2 * halfS;
        const result = backtestOverfitting(
          Array.from({ length: configs }, () => noise(rng, 4 * partitions)),
          { partitions },
        );
        expect(result.pbo).toBeGreaterThanOrEqual(0);
        expect(result.pbo).toBeLessThanOrEqual(1);
        expect(result.lossProbability).toBeGreaterThanOrEqual(0);
        expect(result.lossProbability).toBeLessThanOrEqual(1);
        expect(result.logits).toHaveLength([2, 6, 20][halfS - 1]!);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad input with where and hint', () => {
    const columns = [new Float64Array(40), new Float64Array(40)];
    expect(() => backtestOverfitting(columns, { partitions: 3 })).toThrow(/even integer/);
    expect(() => backtestOverfitting([new Float64Array(40)])).toThrow(/at least 2/);
    expect(() => backtestOverfitting(columns, { partitions: 32 })).toThrow(XylenError);
    expect(() => backtestOverfitting([new Float64Array(30), new Float64Array(30)])).toThrow(/30 periods cannot be cut into 16 blocks/);
    expect(() => backtestOverfitting([new Float64Array(40), new Float64Array(39)], { partitions: 4 })).toThrow(/configuration 1 has 39/);
    try {
      backtestOverfitting([new Float64Array(40), Float64Array.from({ length: 40 }, (_, t) => (t === 9 ? Number.NaN : 0))], { partitions: 4 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(XylenError);
      expect((error as XylenError).where).toBe('configReturns[1][9]');
      expect((error as XylenError).hint).toMatch(/finite/);
    }
  });
});
