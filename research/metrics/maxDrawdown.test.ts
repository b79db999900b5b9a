import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxDrawdown } from './maxDrawdown.ts';

const H = 3_600_000;
const hours = (n: number) => Array.from({ length: n }, (_, i) => i * H);
/** An equity curve from 1 and a list of returns (in %), as empyrical's cum_returns builds it. */
const curve = (returnsPct: number[]) => returnsPct.reduce((acc, r) => [...acc, acc.at(-1)! * (1 + r / 100)], [1]);

/** The naive definition, O(n²): the largest fall from any earlier value. */
function naiveDepth(equity: number[]): number {
  let depth = 0;
  for (let i = 0; i < equity.length; i++) for (let j = i + 1; j < equity.length; j++) depth = Math.max(depth, 1 - equity[j]! / equity[i]!);
  return depth;
}

describe('maxDrawdown', () => {
  it('matches empyrical (test_max_drawdown)', () => {
    const mixed = curve([0, 1, 10, -4, 2, 3, 2, 1, -10]);
    expect(maxDrawdown(hours(mixed.length), mixed).depth).toBeCloseTo(0.1, 8);
    const negative = curve([0, -6, -7, -1, -9, -2, -6, -8, -5]);
    expect(maxDrawdown(hours(negative.length), negative).depth).toBeCloseTo(0.365907303498736, 8);
    const upDownUp = curve([10, -10, 10]);
    expect(maxDrawdown(hours(4), upDownUp).depth).toBeCloseTo(0.1, 8);
  });

  it('times the worst fall from its peak to the recovery (worked by hand)', () => {
    expect(maxDrawdown(hours(6), [100, 120, 90, 100, 130, 125])).toEqual({ depth: 0.25, peakTs: 1 * H, troughTs: 2 * H, recoveryTs: 4 * H, durationMs: 3 * H });
  });

  it('runs to the end of the curve when equity has not recovered', () => {
    const d = maxDrawdown(hours(4), [100, 80, 90, 95]);
    expect(d.depth).toBeCloseTo(0.2, 15);
    expect(d).toMatchObject({ peakTs: 0, troughTs: H, recoveryTs: null, durationMs: 3 * H });
  });

  it('is zero, with no episode, for a curve that never falls', () => {
    expect(maxDrawdown(hours(4), [1, 1, 2, 3])).toEqual({ depth: 0, peakTs: null, troughTs: null, recoveryTs: null, durationMs: 0 });
    expect(maxDrawdown([], []).depth).toBe(0);
  });

  const positiveCurve = fc.array(fc.integer({ min: 1, max: 1_000_000 }).map((c) => c / 100), { minLength: 1, maxLength: 80 });

  it('equals the naive definition, lies in [0, 1) for positive equity, and ignores the scale', () => {
    fc.assert(
      fc.property(positiveCurve, fc.integer({ min: 1, max: 1000 }), (equity, k) => {
        const d = maxDrawdown(hours(equity.length), equity);
        expect(d.depth).toBeCloseTo(naiveDepth(equity), 12);
        expect(d.depth).toBeGreaterThanOrEqual(0);
        expect(d.depth).toBeLessThan(1);
        expect(maxDrawdown(hours(equity.length), equity.map((e) => e * k)).depth).toBeCloseTo(d.depth, 12);
        if (d.peakTs !== null) {
          expect(d.troughTs!).toBeGreaterThan(d.peakTs);
          expect(d.durationMs).toBeGreaterThanOrEqual(d.troughTs! - d.peakTs);
        }
      }),
    );
  });

  it('is zero for any non-decreasing curve', () => {
    fc.assert(
      fc.property(positiveCurve, (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        expect(maxDrawdown(hours(sorted.length), sorted).depth).toBe(0);
      }),
    );
  });
});
