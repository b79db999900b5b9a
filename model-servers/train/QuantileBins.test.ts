// Quantile bins: the bin of a value agrees with the cut it is compared against (the ONNX branch test), missing
// cells have their own bin, few distinct values keep one bin each, many are spread evenly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/index.ts';
import { MISSING_BIN, quantileBins } from './QuantileBins.ts';

describe('quantileBins', () => {
  it('puts v in a bin ≤ b exactly when v < cuts[b], NaN in MISSING_BIN, with ascending cuts (property)', () => {
    const cell = fc.oneof(fc.constant(NaN), fc.float({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -5, max: 5 }));
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 300 }), fc.integer({ min: 2, max: 255 }), (cells, maxBins) => {
        const X = Float32Array.from(cells);
        const { bins, cuts } = quantileBins(X, X.length, 1, maxBins);
        const c = cuts[0]!;
        expect(c.length).toBeLessThan(maxBins);
        for (let i = 1; i < c.length; i++) expect(c[i]!).toBeGreaterThan(c[i - 1]!);
        X.forEach((v, r) => {
          if (Number.isNaN(v)) return expect(bins[r]).toBe(MISSING_BIN);
          for (let b = 0; b < c.length; b++) expect(bins[r]! <= b).toBe(v < c[b]!);
        });
        const distinct = new Set(Array.from(X).filter((v) => !Number.isNaN(v)));
        if (distinct.size <= maxBins) expect(c.length).toBe(Math.max(0, distinct.size - 1));
      }),
    );
  });

  it('spreads many distinct values evenly over the bins, per feature of a row-major matrix', () => {
    const rng = new Rng(3);
    const rows = 20_000;
    const X = Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? rng.normal() : Math.exp(rng.normal() * 3)));
    const { bins, cuts } = quantileBins(X, rows, 2);
    for (let f = 0; f < 2; f++) {
      expect(cuts[f]!.length).toBeGreaterThan(250);
      const counts = new Array<number>(256).fill(0);
      for (let r = 0; r < rows; r++) counts[bins[r * 2 + f]!]!++;
      expect(Math.max(...counts)).toBeLessThanOrEqual((2 * rows) / 255);
    }
  });
});
