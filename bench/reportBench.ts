import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../config/index.ts';
import { importPaths, Store } from '../data/index.ts';
import { buildReport, parseGrid, runStoredReplay, runSweep } from '../research/index.ts';
import { SHARED_DATA } from '../test/paths.ts';

// Real Binance BTCUSDT 5m candles 2023-01-01 → 2024-05-14 (143,900 bars), 1h context and stored funding.
const FILES = ['BTCUSDT-5m-2023-01-01_2024-05-14.csv', 'BTCUSDT-1h-2023-01-01_2024-05-14.csv', 'BTCUSDT-funding-2023-01-01_2024-05-14.csv'].map((f) =>
  join(SHARED_DATA, 'binance-usdm', 'BTCUSDT', f),
);
const FROM = Date.UTC(2023, 0, 1);
const TO = Date.UTC(2024, 4, 14);
// A busy config (low threshold, tight levels, no shutdown) so the journal holds thousands of trades and risk events.
const config = configSchema.parse({
  ensemble: { threshold: 0.3 },
  risk: { stop_loss_pct: 0.01, take_profit_pct: 0.015, max_drawdown_pct: 0, max_consecutive_losses: 1000, max_daily_trades: 1000 },
});
// 4 × 5 × 5 = 100 configurations.
const GRID = `
ensemble.method: [weighted_vote, bayesian_weighted, average_confidence, majority]
ensemble.threshold: [0.2, 0.3, 0.4, 0.5, 0.6]
risk.stop_loss_pct: [0.005, 0.01, 0.015, 0.02, 0.03]
`;

/**
 * `xylen report` speed: the HTML report of a run over 16½ months of real 5m decisions (~144k heartbeats, read with
 * SQL aggregation from the journal, read-only store) and of a sweep of 100 configurations over the same period
 * (hourly returns, PBO with 16 blocks). Each is built three times; the figures are best and median, split into
 * reading the store and rendering the charts.
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xylen-reportbench-'));
  const db = join(dir, 'bench.duckdb');
  try {
    const setup = performance.now();
    const store = await Store.open(db);
    let runId: string;
    let decisions: number;
    try {
      await importPaths(store, FILES, {});
      const replay = await runStoredReplay(store, config, { market: 'usdm', symbol: 'BTCUSDT', from: FROM, to: TO });
      runId = replay.runId;
      decisions = replay.decisions;
      console.log(`report: run ${runId}: ${decisions.toLocaleString('en-US')} decisions, ${replay.metrics.trades.toLocaleString('en-US')} trades (setup: import + replay ${((performance.now() - setup) / 1000).toFixed(1)} s)`);
    } finally {
      store.close();
    }
    const sweepStarted = performance.now();
    const sweep = await runSweep({ grid: parseGrid(GRID, 'bench-grid.yaml'), base: config, dbPath: db, market: 'usdm', symbol: 'BTCUSDT', from: FROM, to: TO });
    console.log(`report: sweep ${sweep.sweepId}: ${sweep.configs} configurations × hourly returns (setup: sweep ${((performance.now() - sweepStarted) / 1000).toFixed(1)} s)`);
    console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (shared machine: treat the figures as ballpark)`);

    const reader = await Store.open(db, { readOnly: true });
    try {
      for (const [label, target] of [
        [`run report, ${decisions.toLocaleString('en-US')} decisions`, runId],
        ['sweep report, 100 configurations', sweep.sweepId],
      ] as const) {
        const timings = [];
        let size = 0;
        for (let i = 0; i < 3; i++) {
          const started = performance.now();
          const report = await buildReport(reader, target);
          timings.push({ total: performance.now() - started, load: report.loadMs, render: report.renderMs });
          size = Buffer.byteLength(report.html);
        }
        timings.sort((a, b) => a.total - b.total);
        const [best, median] = [timings[0]!, timings[1]!];
        const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
        console.log(
          `  ${label.padEnd(34)} best ${s(best.total)} (read ${s(best.load)}, render ${s(best.render)}), median ${s(median.total)}; ${(size / 1024).toFixed(0)} kB of HTML`,
        );
      }
    } finally {
      reader.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
