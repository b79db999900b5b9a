import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../config/index.ts';
import { Store } from '../data/index.ts';
import { importSynthetic } from '../data/synth/index.ts';
import { parseGrid, runSweep } from '../research/sweep/index.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const END = START + 366 * DAY;

/** 4 ensemble methods × 5 thresholds × 5 stop-losses = 100 configurations over the default four in-process models. */
const GRID = `
ensemble.method: [weighted_vote, bayesian_weighted, average_confidence, majority]
ensemble.threshold: {from: 0.3, to: 0.7, step: 0.1}
risk.stop_loss_pct: [0.005, 0.01, 0.015, 0.02, 0.03]
`;

/**
 * `xylen sweep` speed (issue 5: 100 configs × one year of 1m BTCUSDT in ≤ 60 s on 2 cores, ≥ 875,000 bar·configs/s):
 * one year of seeded synthetic 1m candles, 5m decisions with 1h context, the four default rule models, the local
 * worker-thread pool (one thread per core), every result stored in DuckDB as the command does. The whole sweep is
 * timed: loading, features and predictions once, pool start, 100 event loops, writes.
 */
export async function run(): Promise<void> {
  const threads = availableParallelism();
  console.log(`sweep: 100 configs × one year of synthetic 1m BTCUSDT, ${threads} worker threads; load average ${loadavg()[0]!.toFixed(1)} on ${threads} cores`);
  const dir = await mkdtemp(join(tmpdir(), 'xylen-sweep-bench-'));
  const dbPath = join(dir, 'bench.duckdb');
  try {
    const store = await Store.open(dbPath);
    await importSynthetic(store, { symbol: 'BTCUSDT', start: START, end: END, interval: '1m', seed: 42, price: 60_000 });
    store.close();
    const base = configSchema.parse({ market: 'synthetic' });
    const grid = parseGrid(GRID, 'bench-grid.yaml');
    const rounds = Number(process.env['SWEEP_BENCH_ROUNDS'] ?? 2);
    const totals: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let planAt = 0;
      let firstAt = 0;
      const started = performance.now();
      const outcome = await runSweep({
        grid,
        base,
        dbPath,
        market: 'synthetic',
        symbol: 'BTCUSDT',
        from: START + 3 * DAY,
        to: END,
        workers: threads,
        name: `bench-${round}`,
        onPlan: () => (planAt = performance.now() - started),
        onProgress: (done) => {
          if (done === 1) firstAt = performance.now() - started;
        },
      });
      const seconds = outcome.elapsedMs / 1000;
      totals.push(seconds);
      const bars = outcome.barConfigsPerSecond * seconds;
      console.log(
        `  round ${round + 1}: ${outcome.stored} configs in ${seconds.toFixed(1)} s  →  ${Math.round(outcome.barConfigsPerSecond).toLocaleString('en-US')} bar·configs/s ` +
          `(${(bars / outcome.stored).toLocaleString('en-US')} bars each; data, features, predictions and ${threads} threads ready at ${(planAt / 1000).toFixed(1)} s, first result at ${(firstAt / 1000).toFixed(1)} s)`,
      );
    }
    const sorted = [...totals].sort((a, b) => a - b);
    console.log(`  best ${sorted[0]!.toFixed(1)} s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} s for 100 configs (target ≤ 60 s)`);
    console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (this process; worker threads share it)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
