import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EquityCurve } from './EquityCurve.ts';

describe('EquityCurve', () => {
  it('property: keeps every point in order through any number of regrowths, and append joins two curves', () => {
    const point = fc.tuple(fc.double({ noNaN: true }), fc.double(), fc.double());
    fc.assert(
      fc.property(fc.array(point, { maxLength: 5000 }), fc.array(point, { maxLength: 1500 }), (first, second) => {
        const a = new EquityCurve();
        for (const [ts, equity, quantity] of first) a.push(ts, equity, quantity);
        const b = new EquityCurve();
        for (const [ts, equity, quantity] of second) b.push(ts, equity, quantity);
        a.append(b);
        const all = [...first, ...second];
        expect(a.length).toBe(all.length);
        expect(Array.from(a.time)).toEqual(all.map((p) => p[0]));
        expect(Array.from(a.equity)).toEqual(all.map((p) => p[1]));
        expect(Array.from(a.quantity)).toEqual(all.map((p) => p[2]));
      }),
      { numRuns: 40 },
    );
  });
});
