import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../features/FeatureMatrix.ts';
import { ACTION_CODE } from './RuleModel.ts';
import { ruleModel } from './ruleModels.ts';

/** A matrix of the given columns (extra unused columns around them, so that strides and offsets matter). */
function matrix(columns: Record<string, number[]>): FeatureMatrix {
  const names = ['pad_a', ...Object.keys(columns), 'pad_b'];
  const rows = Object.values(columns)[0]!.length;
  const width = names.length;
  const values = new Float64Array(rows * width).fill(123.456);
  for (const [c, name] of names.entries()) {
    const column = columns[name];
    if (column) for (let r = 0; r < rows; r++) values[r * width + c] = column[r]!;
  }
  return { names, rows, width, values, time: Float64Array.from({ length: rows }, (_, r) => (r + 1) * 300_000) };
}

const { hold, long, short } = ACTION_CODE;

describe('rule models', () => {
  it('rsi: long above 55, short below 45, hold between and on warm-up NaN', () => {
    const out = ruleModel('rsi').predictBatch(matrix({ rsi_14: [NaN, 70, 30, 50, 56, 44] }));
    if (out instanceof Promise) throw new Error('rule models answer at once');
    expect([...out.action]).toEqual([hold, long, short, hold, long, short]);
    expect(out.confidence[0]).toBe(0);
    expect(out.confidence[3]).toBe(0);
    expect(out.confidence[1]).toBeCloseTo(Math.tanh(0.5 + 20 / 25), 12);
    expect(out.confidence[1]).toBe(out.confidence[2]);
  });

  it('mean_reversion: fades closes outside the bands, stronger further out', () => {
    const out = ruleModel('mean_reversion').predictBatch(matrix({ bb_pctb_20: [-0.2, 1.5, 0.5, NaN, -0.05] }));
    if (out instanceof Promise) throw new Error('rule models answer at once');
    expect([...out.action]).toEqual([long, short, hold, hold, long]);
    expect(out.confidence[1]!).toBeGreaterThan(out.confidence[0]!);
    expect(out.confidence[0]!).toBeGreaterThan(out.confidence[4]!);
    expect(out.confidence[2]).toBe(0);
  });

  it('macd_cross: follows the histogram sign; a NaN in any input holds', () => {
    const out = ruleModel('macd_cross').predictBatch(matrix({ macd_hist_rel: [0.001, -0.002, 0.001, 0], atr_rel_14: [0.01, 0.01, NaN, 0.01] }));
    if (out instanceof Promise) throw new Error('rule models answer at once');
    expect([...out.action]).toEqual([long, short, hold, hold]);
    expect(out.confidence[0]).toBeCloseTo(Math.tanh(0.4 + 2 * (0.001 / 0.01)), 12);
  });

  it('momentum: trades only when the hour’s return is strong and agrees with the EMA side', () => {
    const atr = 0.001;
    const strong = 2 * atr * Math.sqrt(12);
    const out = ruleModel('momentum').predictBatch(
      matrix({
        ret_12: [strong, -strong, strong, strong / 10, strong],
        atr_rel_14: [atr, atr, atr, atr, atr],
        ema_dist_21: [0.01, -0.01, -0.01, 0.01, NaN],
      }),
    );
    if (out instanceof Promise) throw new Error('rule models answer at once');
    expect([...out.action]).toEqual([long, short, hold, hold, hold]);
    expect(out.confidence[0]).toBeCloseTo(Math.tanh(2 - 0.2), 12);
  });

  it('names the model and the feature when the matrix lacks one', () => {
    expect(() => ruleModel('rsi', 'my_rsi').predictBatch(matrix({ ret_1: [0] }))).toThrow(/"my_rsi" needs feature "rsi_14"/);
  });
});
