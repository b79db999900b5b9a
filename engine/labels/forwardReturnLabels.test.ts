// Forward-return labels: by hand, NaN at the end and across gaps, and as properties against the definition.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardReturnLabels } from './forwardReturnLabels.ts';

const FIVE = 300_000;
const T0 = Date.UTC(2024, 0, 1);
const times = (n: number) => Float64Array.from({ length: n }, (_, i) => T0 + (i + 1) * FIVE);

describe('forwardReturnLabels', () => {
  it('is ln(close[t+h]/close[t]), known at row t+h, NaN for the last h rows', () => {
    const close = Float64Array.of(100, 110, 99, 121);
    const labels = forwardReturnLabels(times(4), close, 2, FIVE);
    expect(Array.from(labels.label)).toEqual([Math.log(99 / 100), Math.log(121 / 110), NaN, NaN]);
    expect(Array.from(labels.time)).toEqual([T0 + 3 * FIVE, T0 + 4 * FIVE, NaN, NaN]);
    expect(labels.realizedReturn[0]).toBeCloseTo(-0.01, 12);
    expect(labels.realizedReturn[1]).toBeCloseTo(0.1, 12);
  });

  it('is NaN where a gap makes row t+h later than h intervals', () => {
    const time = Float64Array.of(T0, T0 + FIVE, T0 + 3 * FIVE, T0 + 4 * FIVE);
    const labels = forwardReturnLabels(time, Float64Array.of(1, 2, 3, 4), 1, FIVE);
    expect(Array.from(labels.label)).toEqual([Math.log(2), NaN, Math.log(4 / 3), NaN]);
  });

  it('refuses a horizon that is not a positive integer', () => {
    expect(() => forwardReturnLabels(times(3), Float64Array.of(1, 2, 3), 0, FIVE)).toThrow(RangeError);
    expect(() => forwardReturnLabels(times(3), Float64Array.of(1, 2, 3), 1.5, FIVE)).toThrow(RangeError);
  });

  it('depends only on closes t and t+h, and is NaN exactly past the data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1e5, noNaN: true }), { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (prices, horizon, factor) => {
          const close = Float64Array.from(prices);
          const labels = forwardReturnLabels(times(close.length), close, horizon, FIVE);
          for (let t = 0; t < close.length; t++) {
            if (t + horizon >= close.length) {
              expect(Number.isNaN(labels.label[t]!)).toBe(true);
              continue;
            }
            expect(labels.label[t]).toBe(Math.log(close[t + horizon]! / close[t]!));
            const perturbed = close.map((v, i) => (i === t || i === t + horizon ? v : v * factor));
            expect(forwardReturnLabels(times(close.length), perturbed, horizon, FIVE).label[t]).toBe(labels.label[t]);
          }
        },
      ),
    );
  });
});
