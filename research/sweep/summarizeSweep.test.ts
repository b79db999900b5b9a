import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/index.ts';
import { backtestOverfitting } from '../metrics/backtestOverfitting.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { deflatedSharpeRatio } from '../metrics/deflatedSharpe.ts';
import { sharpeMoments } from '../metrics/probabilisticSharpe.ts';
import { sharpeRatio } from '../metrics/returnRatios.ts';
import { rankMetric, rankResults, summarizeSweep } from './summarizeSweep.ts';
import type { StoredSweepResult } from './sweepTables.ts';

const HOUR = 3_600_000;

function result(index: number, returns: Float64Array, metrics: Partial<RunMetrics> = {}): StoredSweepResult {
  return {
    sweepId: 'sw-000000000000',
    hash: `h${index}`,
    index,
    params: { i: index },
    config: {},
    metrics: { sharpe: sharpeRatio(returns, 8760), totalReturn: 0, maxDrawdown: 0, trades: 1, ...metrics } as RunMetrics,
    returns,
    bars: returns.length,
    elapsedMs: 1,
    worker: 'local',
    runId: null,
    finishedAt: new Date(0),
  };
}

describe('the sweep summary', () => {
  it('gives each of the best configurations its DSR against all trials, and the PBO of the whole sweep', () => {
    const rng = new Rng(3);
    const results = Array.from({ length: 12 }, (_, j) => result(j, Float64Array.from({ length: 640 }, () => 0.001 * rng.normal() + (j === 7 ? 0.0004 : 0))));
    const summary = summarizeSweep(results, { periodMs: HOUR, n: 3 });
    expect(summary.trials).toBe(12);
    expect(summary.top).toHaveLength(3);
    const best = results.reduce((a, b) => (b.metrics.sharpe! > a.metrics.sharpe! ? b : a));
    expect(summary.top[0]!.hash).toBe(best.hash);
    const trialSharpes = results.map((r) => sharpeRatio(r.returns!, 1)!);
    const expected = deflatedSharpeRatio(sharpeMoments(best.returns!)!, trialSharpes);
    expect(summary.top[0]!.dsr).toBe(expected.dsr);
    expect(summary.expectedMaxSharpe).toBeCloseTo(expected.benchmark * Math.sqrt(8760), 12);
    expect(summary.pbo!.pbo).toBe(backtestOverfitting(results.map((r) => r.returns!), { partitions: 16 }).pbo);
    expect(summary.pbo!.splits).toBe(12_870);
  });

  it('warns when PBO is above one half: what wins in sample loses out of sample', () => {
    // Two mirror-image configurations: one earns in even blocks and loses in odd ones, the other the reverse. The
    // split whose in-sample half holds more even blocks picks the first, whose out-of-sample half then holds more
    // odd blocks, where it is the worse of the two.
    const rng = new Rng(9);
    const blocks = 16;
    const perBlock = 20;
    const column = (sign: number) => Float64Array.from({ length: blocks * perBlock }, (_, t) => sign * (Math.floor(t / perBlock) % 2 === 0 ? 0.002 : -0.002) + 0.0005 * rng.normal());
    const summary = summarizeSweep([result(0, column(1)), result(1, column(-1)), result(2, column(0))], { periodMs: HOUR });
    expect(summary.pbo!.pbo).toBeGreaterThan(0.5);
    expect(summary.warnings.some((w) => w.startsWith(`PBO is ${summary.pbo!.pbo.toFixed(2)} (> 0.5)`))).toBe(true);
  });

  it('says why PBO is missing when there are too few periods or configurations', () => {
    const one = summarizeSweep([result(0, Float64Array.from({ length: 100 }, (_, t) => (t % 3) * 0.001))], { periodMs: HOUR });
    expect(one.pbo).toBeNull();
    expect(one.pboUnavailable).toMatch(/at least 2/);
    const short = summarizeSweep([result(0, new Float64Array([0.01, -0.01, 0.02])), result(1, new Float64Array([0, 0.01, -0.02]))], { periodMs: HOUR });
    expect(short.pboUnavailable).toMatch(/3 periods cannot be cut into 16 blocks/);
  });

  it('ranks by any report metric, lower first for drawdowns, undefined values last', () => {
    const r = (index: number, metrics: Partial<RunMetrics>) => result(index, new Float64Array(4), metrics);
    const rows = [r(0, { maxDrawdown: 0.2, sharpe: null }), r(1, { maxDrawdown: 0.05, sharpe: 1 }), r(2, { maxDrawdown: 0.1, sharpe: 2 })];
    expect(rankResults(rows, 'max_drawdown').map((x) => x.index)).toEqual([1, 2, 0]);
    expect(rankResults(rows, 'sharpe').map((x) => x.index)).toEqual([2, 1, 0]);
    expect(rankMetric('total_return')).toBe('totalReturn');
    expect(() => rankMetric('luck')).toThrow(/cannot rank by "luck"/);
  });
});
