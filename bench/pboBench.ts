import { availableParallelism, loadavg } from 'node:os';
import { Rng } from '../engine/index.ts';
import { backtestOverfitting } from '../research/metrics/backtestOverfitting.ts';
import { summarizeSweep } from '../research/sweep/summarizeSweep.ts';
import type { StoredSweepResult } from '../research/sweep/sweepTables.ts';

/**
 * PBO speed (issue 5: 16 blocks = 12,870 CSCV splits over 100 configurations in ≤ 5 s), on seeded noise: over a year of
 * 1m returns per configuration (the largest series a sweep could hand it), over a year of hourly returns (what a sweep
 * stores by default), and `xylen sweep top`'s whole summary (DSR for the top 10 and PBO) on the hourly series.
 */
export async function run(): Promise<void> {
  console.log(`pbo: CSCV with 16 blocks (12,870 splits) over 100 configurations; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  const rng = new Rng(7);
  const noise = (periods: number) => Float64Array.from({ length: periods }, () => 0.001 * rng.normal());
  for (const [label, periods] of [
    ['a year of 1m returns', 525_600],
    ['a year of hourly returns', 8_760],
  ] as const) {
    const columns = Array.from({ length: 100 }, () => noise(periods));
    const times = [0, 1, 2].map(() => {
      const started = performance.now();
      const result = backtestOverfitting(columns, { partitions: 16 });
      const ms = performance.now() - started;
      if (result.logits.length !== 12_870) throw new Error('unexpected split count');
      return ms;
    });
    report(`PBO, ${label}`, times);
  }
  const results = Array.from({ length: 100 }, (_, j): StoredSweepResult => {
    const returns = noise(8_760);
    return { sweepId: 'sw-bench', hash: `h${j}`, index: j, params: {}, config: {}, metrics: { sharpe: returns[0]! } as never, returns, bars: 0, elapsedMs: 0, worker: null, runId: null, finishedAt: new Date(0) };
  });
  const times = [0, 1, 2].map(() => {
    const started = performance.now();
    summarizeSweep(results, { periodMs: 3_600_000, n: 10 });
    return performance.now() - started;
  });
  report('sweep top (DSR ×10 + PBO), hourly', times);
}

function report(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`  ${label.padEnd(36)} best ${(sorted[0]! / 1000).toFixed(2)} s, median ${(sorted[1]! / 1000).toFixed(2)} s  (target ≤ 5 s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
