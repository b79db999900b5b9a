// The feature set: batch (computeFeatures) and incremental (FeatureEngine) rows agree bit for bit; no row sees
// a candle that had not closed at its stamp; context rows come from the last closed hour; real data is sane.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../test/paths.ts';
import { XylenError } from '../XylenError.ts';
import type { CandleColumnsLike } from './CandleColumnsLike.ts';
import { isCanonical } from '../canonicalNumber.ts';
import { computeFeatures, isCanonicalMatrix } from './computeFeatures.ts';
import { CONTEXT_FEATURES, contextColumns } from './ContextFeatures.ts';
import { DECISION_FEATURES } from './DecisionFeatures.ts';
import { FeatureEngine } from './FeatureEngine.ts';
import { featureColumn, featureRow, type FeatureMatrix } from './FeatureMatrix.ts';
import { BASE_TIME, candleAt, emptyColumns, firstDifference, HOUR, market, MINUTE, parseCandleCsv } from './test/candles.ts';

const FIVE_MINUTES = 5 * MINUTE;

/** Every row of the FeatureEngine, fed both streams merged in close-time order (context first on ties). */
function incrementalRows(decision: CandleColumnsLike, context?: CandleColumnsLike): Float64Array[] {
  const engine = new FeatureEngine({ withContext: context !== undefined });
  const rows: Float64Array[] = [];
  let hour = 0;
  for (let i = 0; i < decision.length; i++) {
    const close = decision.openTime[i]! + FIVE_MINUTES;
    while (context && hour < context.length && context.openTime[hour]! + HOUR <= close) engine.addContext(candleAt(context, hour++));
    rows.push(engine.addDecision(candleAt(decision, i)).slice());
    expect(engine.time).toBe(close);
    expect(engine.isStable).toBe(rows.at(-1)!.every(Number.isFinite));
  }
  return rows;
}

function expectRowsEqual(matrix: FeatureMatrix, rows: Float64Array[]): void {
  expect(matrix.rows).toBe(rows.length);
  rows.forEach((row, r) => {
    const at = firstDifference(featureRow(matrix, r), row);
    expect(at, `row ${r}, ${matrix.names[at]}: batch ${featureRow(matrix, r)[at]} vs incremental ${row[at]}`).toBe(-1);
  });
}

/** A copy of `c` with every candle from index `from` on scaled (prices by `price`, volume by `volume`). */
function perturbedFrom(c: CandleColumnsLike, from: number, price: number, volume: number): CandleColumnsLike {
  const out = emptyColumns(c.length);
  for (let i = 0; i < c.length; i++) {
    const f = i >= from ? price : 1;
    out.openTime[i] = c.openTime[i]!;
    out.high[i] = c.high[i]! * f;
    out.low[i] = c.low[i]! * f;
    out.close[i] = c.close[i]! * f;
    out.volume[i] = c.volume[i]! * (i >= from ? volume : 1);
  }
  return out;
}

describe('computeFeatures and FeatureEngine', () => {
  it('name the decision features, then the context ones, and stamp rows at the decision close', () => {
    fc.assert(
      fc.property(market, ({ decision, context }) => {
        const matrix = computeFeatures(decision, context);
        expect(matrix.names).toEqual([...DECISION_FEATURES, ...CONTEXT_FEATURES]);
        expect(matrix.values.length).toBe(matrix.rows * matrix.width);
        matrix.time.forEach((t, r) => expect(t).toBe(decision.openTime[r]! + FIVE_MINUTES));
        expect(computeFeatures(decision).names).toEqual([...DECISION_FEATURES]);
      }),
      { numRuns: 20 },
    );
  });

  it('make canonical values only (no −0, one NaN), which isCanonicalMatrix takes on trust for its matrices', () => {
    fc.assert(
      fc.property(market, fc.boolean(), ({ decision, context }, huge) => {
        // Prices near the largest double overflow the indicators' sums: Infinity − Infinity is a NaN with the sign bit
        // set on x86, not the one NaN.
        const input = huge ? perturbedFrom(decision, 0, 1, 1) : decision;
        if (huge) for (let i = 0; i < input.length; i++) input.high[i] = input.low[i] = input.close[i] = 1e308;
        const matrix = computeFeatures(input, context);
        expect(isCanonical(matrix.values)).toBe(true);
        expect(isCanonicalMatrix(matrix)).toBe(true);
      }),
      { numRuns: 20 },
    );
    // A matrix made elsewhere is read: one −0 is enough.
    const values = Float64Array.of(1, 2, 3, -0);
    const matrix = { names: ['a', 'b'], rows: 2, width: 2, values, time: Float64Array.of(1, 2) };
    expect(isCanonicalMatrix(matrix)).toBe(false);
    values[3] = 0;
    expect(isCanonicalMatrix(matrix)).toBe(true);
  });

  it('give the same rows bit for bit, batch and bar by bar, with and without context', () => {
    fc.assert(
      fc.property(market, ({ decision, context }) => {
        expectRowsEqual(computeFeatures(decision, context), incrementalRows(decision, context));
        expectRowsEqual(computeFeatures(decision), incrementalRows(decision));
      }),
      { numRuns: 60 },
    );
  });

  it('take context from the last hour closed at the row stamp (naive scan), NaN before any hour closed', () => {
    fc.assert(
      fc.property(market, ({ decision, context }) => {
        const matrix = computeFeatures(decision, context);
        const columns = contextColumns(context);
        for (let r = 0; r < matrix.rows; r++) {
          let hour = -1;
          for (let j = 0; j < context.length; j++) if (context.openTime[j]! + HOUR <= matrix.time[r]!) hour = j;
          const expected = columns.map((column) => (hour < 0 ? Number.NaN : column[hour]!));
          const actual = featureRow(matrix, r).subarray(DECISION_FEATURES.length);
          expect(firstDifference(actual, expected), `row ${r}`).toBe(-1);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('never look ahead: perturbing every candle after bar k, and every hour still open at its close, leaves rows ≤ k unchanged', () => {
    fc.assert(
      fc.property(
        market.chain((m) => fc.record({ k: fc.integer({ min: 0, max: m.decision.length - 1 }), price: fc.double({ min: 0.5, max: 2, noNaN: true }), volume: fc.double({ min: 0, max: 3, noNaN: true }) }).map((p) => ({ ...m, ...p }))),
        ({ decision, context, k, price, volume }) => {
          fc.pre(price !== 1);
          const before = computeFeatures(decision, context);
          const stamp = before.time[k]!;
          let firstOpenHour = 0;
          while (firstOpenHour < context.length && context.openTime[firstOpenHour]! + HOUR <= stamp) firstOpenHour++;
          const after = computeFeatures(perturbedFrom(decision, k + 1, price, volume), perturbedFrom(context, firstOpenHour, price, volume));
          const unchanged = before.values.subarray(0, (k + 1) * before.width);
          expect(firstDifference(after.values.subarray(0, unchanged.length), unchanged)).toBe(-1);
          // The perturbation is real: bar k+1's one-bar return sees its own, changed close.
          if (k + 1 < decision.length) expect(featureColumn(after, 'ret_1')[k + 1]).not.toBe(featureColumn(before, 'ret_1')[k + 1]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('let the 5m bar closing with the hour see that hour, and the bar before it not', () => {
    const decision = emptyColumns(24);
    const context = emptyColumns(3);
    for (let i = 0; i < 24; i++) decision.openTime[i] = BASE_TIME + HOUR + i * FIVE_MINUTES;
    decision.close.fill(100);
    decision.high.fill(101);
    decision.low.fill(99);
    for (let j = 0; j < 3; j++) {
      context.openTime[j] = BASE_TIME + j * HOUR;
      context.close[j] = 100 + j;
      context.high[j] = 110;
      context.low[j] = 90;
    }
    const ret = featureColumn(computeFeatures(decision, context), 'ctx_ret_1');
    // Rows 0–10 close inside hour 1 (still open): they see hour 0, whose return is undefined.
    expect(Number.isNaN(ret[10]!)).toBe(true);
    // Row 11 closes at 02:00 with hour 1: it sees ln(101/100); row 23 closes with hour 2: ln(102/101).
    expect(ret[11]).toBe(Math.log(101 / 100));
    expect(ret[22]).toBe(Math.log(101 / 100));
    expect(ret[23]).toBe(Math.log(102 / 101));
  });

  it('stop on corrupt candles and on streams fed out of close-time order', () => {
    const bad = emptyColumns(3);
    bad.openTime.set([0, FIVE_MINUTES, FIVE_MINUTES]);
    expect(() => computeFeatures(bad)).toThrow(/does not follow/);
    bad.openTime[2] = 2 * FIVE_MINUTES;
    bad.close[1] = Number.NaN;
    expect(() => computeFeatures(bad)).toThrow(XylenError);
    expect(() => computeFeatures(bad)).toThrow(/non-finite/);

    const candle = { openTime: BASE_TIME, high: 1, low: 1, close: 1, volume: 1 };
    const late = new FeatureEngine();
    late.addDecision({ ...candle, openTime: BASE_TIME + HOUR - FIVE_MINUTES });
    expect(() => late.addContext(candle)).toThrow(/arrived after the decision candle/);
    const early = new FeatureEngine();
    early.addContext({ ...candle, openTime: BASE_TIME + HOUR });
    expect(() => early.addDecision({ ...candle, openTime: BASE_TIME + HOUR })).toThrow(/arrived after the context candle/);
    expect(() => new FeatureEngine({ withContext: false }).addContext(candle)).toThrow(/without context/);
  });
});

describe('computeFeatures on real BTCUSDT 5m candles with 1h context', () => {
  const dir = join(SHARED_DATA, 'binance-usdm/BTCUSDT');
  const decision = parseCandleCsv(readFileSync(join(dir, 'BTCUSDT-5m-2025-03-06_2025-04-13.csv'), 'utf8'));
  const from = decision.openTime[0]!;
  const to = decision.openTime[decision.length - 1]!;
  // Three days of hours before the 5m series, so the 1h EMA(50) is warm from the first row.
  const context = parseCandleCsv(readFileSync(join(dir, 'BTCUSDT-1h-2019-09-08_2026-05-17.csv'), 'utf8'), from - 72 * HOUR, to + HOUR);
  const matrix = computeFeatures(decision, context);

  it('has every feature finite once the longest decision warm-up (EMA 50) is over', () => {
    expect(matrix.rows).toBe(decision.length);
    for (let r = 0; r < matrix.rows; r++) expect(featureRow(matrix, r).every(Number.isFinite), `row ${r}`).toBe(r >= 49);
  });

  it('matches returns computed directly from the file, with the context hour found by clock arithmetic', () => {
    const ret12 = featureColumn(matrix, 'ret_12');
    const ctxRet = featureColumn(matrix, 'ctx_ret_1');
    const hourClose = new Map<number, number>();
    context.openTime.forEach((t, j) => hourClose.set(t, context.close[j]!));
    for (let r = 12; r < matrix.rows; r++) {
      expect(ret12[r]).toBe(Math.log(decision.close[r]! / decision.close[r - 12]!));
      // The last closed hour at stamp s opened at floor(s / 1h)·1h − 1h.
      const lastHourOpen = Math.floor(matrix.time[r]! / HOUR) * HOUR - HOUR;
      expect(ctxRet[r]).toBe(Math.log(hourClose.get(lastHourOpen)! / hourClose.get(lastHourOpen - HOUR)!));
    }
  });
});
