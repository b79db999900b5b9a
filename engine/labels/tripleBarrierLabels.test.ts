// Triple-barrier labels: hand-built candle tables for each outcome (upper, lower, both in one candle, vertical, gaps,
// the end of the data), then properties over random paths: values, locality of the window, and a naive reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tripleBarrierLabels, type BarrierCandles, type TripleBarrierSpec } from './tripleBarrierLabels.ts';

const MINUTE = 60_000;
const FIVE = 5 * MINUTE;
const T0 = Date.UTC(2024, 0, 1);

/** 1m candles opening at `start`, one per [open, high, low, close]. */
function path(start: number, rows: readonly (readonly [number, number, number, number])[]): BarrierCandles {
  const column = (i: number) => Float64Array.from(rows, (row) => row[i]!);
  return { length: rows.length, openTime: Float64Array.from(rows, (_, k) => start + k * MINUTE), open: column(0), high: column(1), low: column(2), close: column(3) };
}

/** One decision at T0 with close 100, barriers at 104 and 98, vertical barrier after one 5m bar (5 base candles). */
const SPEC: TripleBarrierSpec = { takeProfit: 0.04, stopLoss: 0.02, horizon: 1, decisionMs: FIVE, baseMs: MINUTE };
function labelOne(rows: readonly (readonly [number, number, number, number])[], spec: Partial<TripleBarrierSpec> = {}) {
  const labels = tripleBarrierLabels(Float64Array.of(T0), Float64Array.of(100), path(T0, rows), { ...SPEC, ...spec });
  return { label: labels.label[0], time: labels.time[0], ret: labels.realizedReturn[0] };
}
const QUIET: [number, number, number, number] = [100, 100.5, 99.5, 100.2];

describe('tripleBarrierLabels on hand-built candles', () => {
  it('labels +1 when the upper barrier is touched first, known at that candle close, at the barrier price', () => {
    const got = labelOne([QUIET, [100.2, 104.5, 100, 104], [104, 104, 97, 97], QUIET, QUIET]);
    expect(got.label).toBe(1);
    expect(got.time).toBe(T0 + 2 * MINUTE);
    expect(got.ret).toBeCloseTo(0.04, 12);
  });

  it('labels −1 when the lower barrier is touched first', () => {
    const got = labelOne([QUIET, QUIET, [100, 100.1, 97.9, 98.5], [98.5, 105, 98.5, 105], QUIET]);
    expect(got).toEqual({ label: -1, time: T0 + 3 * MINUTE, ret: expect.closeTo(-0.02, 12) });
  });

  it('counts a candle touching both barriers as the lower one (adverse first), as the broker does', () => {
    const got = labelOne([QUIET, [100, 104.1, 97.9, 103], QUIET, QUIET, QUIET]);
    expect(got).toEqual({ label: -1, time: T0 + 2 * MINUTE, ret: expect.closeTo(-0.02, 12) });
  });

  it('resolves a candle opening beyond a barrier at its open (gap price), whichever side', () => {
    expect(labelOne([QUIET, [97, 97.5, 96, 97], QUIET, QUIET, QUIET])).toEqual({ label: -1, time: T0 + 2 * MINUTE, ret: expect.closeTo(-0.03, 12) });
    // Opening above the upper barrier is unambiguous even if the candle later falls through the lower one.
    expect(labelOne([QUIET, [105, 105, 97, 97], QUIET, QUIET, QUIET])).toEqual({ label: 1, time: T0 + 2 * MINUTE, ret: expect.closeTo(0.05, 12) });
  });

  it('labels 0 at the vertical barrier, with the return to the last close of the window, or its sign on request', () => {
    const rows = [QUIET, QUIET, QUIET, QUIET, [100, 101, 99, 99.4], [99.4, 120, 80, 100]] as const; // the 6th candle is past the horizon
    expect(labelOne(rows)).toEqual({ label: 0, time: T0 + FIVE, ret: expect.closeTo(-0.006, 12) });
    expect(labelOne(rows, { signAtVertical: true })).toEqual({ label: -1, time: T0 + FIVE, ret: expect.closeTo(-0.006, 12) });
    expect(labelOne([QUIET, QUIET, QUIET, QUIET, [100, 100, 100, 100]], { signAtVertical: true }).label).toBe(0);
  });

  it('touches the barrier exactly at its price (≤ and ≥)', () => {
    expect(labelOne([[100, 104, 99, 103], QUIET, QUIET, QUIET, QUIET]).label).toBe(1);
    expect(labelOne([[100, 101, 98, 99], QUIET, QUIET, QUIET, QUIET]).label).toBe(-1);
  });

  it('is NaN when the vertical barrier lies past the last candle, even after an early touch; known when it ends exactly there', () => {
    expect(labelOne([[100, 110, 99, 109], QUIET, QUIET, QUIET])).toEqual({ label: NaN, time: NaN, ret: NaN });
    expect(labelOne([QUIET, QUIET, QUIET, QUIET, QUIET]).label).toBe(0);
  });

  it('ignores candles that opened before the decision and is NaN for a window with no candle (a gap)', () => {
    const base = path(T0 - 2 * MINUTE, [[100, 200, 1, 100], [100, 200, 1, 100], QUIET, QUIET, QUIET, QUIET, QUIET]);
    expect(tripleBarrierLabels(Float64Array.of(T0), Float64Array.of(100), base, SPEC).label[0]).toBe(0);
    const gapped = { ...path(T0, [QUIET]), openTime: Float64Array.of(T0 + 30 * MINUTE) };
    expect(Number.isNaN(tripleBarrierLabels(Float64Array.of(T0), Float64Array.of(100), gapped, SPEC).label[0])).toBe(true);
  });

  it('refuses nonsense barriers and rows out of time order', () => {
    const base = path(T0, [QUIET]);
    expect(() => tripleBarrierLabels(Float64Array.of(T0), Float64Array.of(100), base, { ...SPEC, horizon: 0 })).toThrow(RangeError);
    expect(() => tripleBarrierLabels(Float64Array.of(T0), Float64Array.of(100), base, { ...SPEC, stopLoss: 1 })).toThrow(RangeError);
    expect(() => tripleBarrierLabels(Float64Array.of(T0 + FIVE, T0), Float64Array.of(100, 100), base, SPEC)).toThrow(/back in time/);
  });
});

/** A random 1m path (with occasional gapped opens) and 5m decision rows on it: row r closes with base candle 5r+4. */
const scenario = fc
  .record({
    steps: fc.array(
      fc.record({
        gap: fc.oneof(fc.constant(0), fc.double({ min: -0.03, max: 0.03, noNaN: true })),
        ret: fc.double({ min: -0.02, max: 0.02, noNaN: true }),
        up: fc.double({ min: 0, max: 0.02, noNaN: true }),
        down: fc.double({ min: 0, max: 0.02, noNaN: true }),
      }),
      { minLength: 5, maxLength: 150 },
    ),
    takeProfit: fc.double({ min: 0.002, max: 0.05, noNaN: true }),
    stopLoss: fc.double({ min: 0.002, max: 0.05, noNaN: true }),
    horizon: fc.integer({ min: 1, max: 8 }),
    signAtVertical: fc.boolean(),
  })
  .map(({ steps, ...rest }) => {
    const rows: [number, number, number, number][] = [];
    let close = 100;
    for (const s of steps) {
      const open = close * Math.exp(s.gap);
      close = open * Math.exp(s.ret);
      rows.push([open, Math.max(open, close) * (1 + s.up), Math.min(open, close) * (1 - s.down), close]);
    }
    const base = path(T0, rows);
    const decisions = Math.floor(rows.length / 5);
    const time = Float64Array.from({ length: decisions }, (_, r) => T0 + (r + 1) * FIVE);
    const close5m = Float64Array.from({ length: decisions }, (_, r) => base.close[5 * r + 4]!);
    return { base, time, close: close5m, spec: { ...rest, decisionMs: FIVE, baseMs: MINUTE } satisfies TripleBarrierSpec };
  });

/** The definition read literally: candles whose span lies inside (T, T + horizon], checked one by one. */
function naiveLabel(T: number, price: number, base: BarrierCandles, spec: TripleBarrierSpec): { label: number; time: number; ret: number } {
  const vertical = T + spec.horizon * spec.decisionMs;
  if (base.openTime[base.length - 1]! + spec.baseMs < vertical) return { label: NaN, time: NaN, ret: NaN };
  const inWindow = Array.from({ length: base.length }, (_, k) => k).filter((k) => base.openTime[k]! >= T && base.openTime[k]! + spec.baseMs <= vertical);
  const upper = price * (1 + spec.takeProfit);
  const lower = price * (1 - spec.stopLoss);
  for (const k of inWindow) {
    const known = base.openTime[k]! + spec.baseMs;
    if (base.open[k]! <= lower) return { label: -1, time: known, ret: base.open[k]! / price - 1 };
    if (base.open[k]! >= upper) return { label: 1, time: known, ret: base.open[k]! / price - 1 };
    if (base.low[k]! <= lower) return { label: -1, time: known, ret: lower / price - 1 };
    if (base.high[k]! >= upper) return { label: 1, time: known, ret: upper / price - 1 };
  }
  const ret = base.close[inWindow.at(-1)!]! / price - 1;
  return { label: spec.signAtVertical ? (ret > 0 ? 1 : ret < 0 ? -1 : 0) : 0, time: vertical, ret };
}

describe('tripleBarrierLabels properties', () => {
  it('agree with the definition read literally, label in {−1, 0, 1}, NaN exactly where the horizon runs past the data', () => {
    fc.assert(
      fc.property(scenario, ({ base, time, close, spec }) => {
        const labels = tripleBarrierLabels(time, close, base, spec);
        const end = base.openTime[base.length - 1]! + MINUTE;
        for (let r = 0; r < time.length; r++) {
          const expected = naiveLabel(time[r]!, close[r]!, base, spec);
          expect({ label: labels.label[r], time: labels.time[r], ret: labels.realizedReturn[r] }).toEqual(expected);
          expect(Number.isNaN(labels.label[r]!)).toBe(time[r]! + spec.horizon * FIVE > end);
          if (!Number.isNaN(labels.label[r]!)) {
            expect([-1, 0, 1]).toContain(labels.label[r]);
            expect(labels.time[r]).toBeGreaterThan(time[r]!);
            expect(labels.time[r]).toBeLessThanOrEqual(time[r]! + spec.horizon * FIVE);
          }
        }
      }),
    );
  });

  it('depend only on the candles inside (T, T + horizon]: perturbing every other candle and row leaves the label unchanged', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.double({ min: 0.5, max: 2, noNaN: true }), ({ base, time, close, spec }, pick, factor) => {
        fc.pre(time.length > 0);
        const r = pick % time.length;
        const first = 5 * (r + 1); // the first candle opening at the decision close
        const last = first + 5 * spec.horizon; // one past the last candle closing by the vertical barrier
        const scale = (column: Float64Array) => column.map((v, k) => (k >= first && k < last ? v : v * factor));
        const perturbed = { ...base, open: scale(base.open), high: scale(base.high), low: scale(base.low), close: scale(base.close) };
        const otherCloses = close.map((v, i) => (i === r ? v : v * factor));
        const before = tripleBarrierLabels(time, close, base, spec);
        const after = tripleBarrierLabels(time, otherCloses, perturbed, spec);
        expect([after.label[r], after.time[r], after.realizedReturn[r]]).toEqual([before.label[r], before.time[r], before.realizedReturn[r]]);
      }),
    );
  });
});
