import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowMean, windowStats, windowStd } from './SlidingWindow.ts';

describe('windowStats', () => {
  it('gives every full window the bits windowMean and windowStd give it, and leaves the cells before untouched', () => {
    fc.assert(
      fc.property(
        // BTC-like levels with small moves (where cancellation shows), and raw doubles of any size.
        fc.oneof(
          fc.array(fc.double({ min: 60_000, max: 60_100, noNaN: true }), { maxLength: 70 }),
          fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 70 }),
        ),
        fc.integer({ min: 1, max: 50 }),
        (list, n) => {
          const values = Float64Array.from(list);
          const mean = new Float64Array(values.length).fill(-7);
          const std = new Float64Array(values.length).fill(-7);
          windowStats(values, n, mean, std);
          for (let end = 0; end < values.length; end++) {
            if (end < n - 1) {
              expect([mean[end], std[end]]).toEqual([-7, -7]);
              continue;
            }
            const m = windowMean(values, end, n);
            expect(Object.is(mean[end], m)).toBe(true);
            expect(Object.is(std[end], windowStd(values, end, n, m))).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
