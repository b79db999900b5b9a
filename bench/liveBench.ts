// Live mode on loopback: candle close → features → four HTTP model servers → ensemble decision → entry, stop-loss
// and take-profit acknowledged by the exchange simulator, through ccxt binanceusdm. Each bar is timed from the
// simulator closing it (matching, user events, the kline on the websocket) to the live runner having handled it —
// for heartbeats that placed orders, that is the whole path the target (p99 ≤ 50 ms) is about.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/paths.ts';
import type { XylenConfigInput } from '../config/index.ts';
import type { JournalRecord } from '../engine/index.ts';
import { createLiveSession } from '../live/index.ts';
import { importedStore, liveConfigFor, parityConfig, simOverStore } from '../live/test/liveFixture.ts';
import { startFourModelServers } from '../live/test/modelServers.ts';

const FROM = Date.UTC(2025, 4, 10);
const TO = Date.UTC(2025, 4, 14);

function stats(label: string, values: number[]): void {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(2);
  console.log(`${label.padEnd(44)} n=${String(sorted.length).padStart(5)}  p50 ${at(50)} ms  p90 ${at(90)} ms  p99 ${at(99)} ms  max ${sorted[sorted.length - 1]!.toFixed(2)} ms`);
}

/** One pass over the period with `models`; prints the latency figures. */
async function pass(label: string, models: XylenConfigInput['models']): Promise<void> {
  // Trades often (low threshold, tight levels) so that many heartbeats place orders.
  const config = parityConfig({
    models,
    ensemble: { threshold: 0.05, quorum: 3 },
    sizing: { method: 'fixed_amount', amount: 200 },
    risk: { stop_loss_pct: 0.0006, take_profit_pct: 0.0006, leverage: 5, max_consecutive_losses: 1000, max_daily_trades: 10_000, daily_loss_limit_pct: 0, max_drawdown_pct: 0 },
  });
  const sim = await simOverStore(storePath, config, FROM, TO);
  const records: JournalRecord[] = [];
  const session = await createLiveSession(liveConfigFor(sim, config, dir), { storePath, log: () => undefined, tap: (r) => records.push(r) });
  const all: number[] = [];
  const beats: number[] = [];
  const ordered: number[] = [];
  try {
    await session.start();
    for (;;) {
      const before = records.length;
      const started = performance.now();
      if (!(await sim.step())) break;
      await session.runner.handled(sim.market.lastClose);
      const ms = performance.now() - started;
      all.push(ms);
      const decision = records.slice(before).find((r) => r.type === 'heartbeat');
      if (decision) beats.push(ms);
      if (decision?.type === 'heartbeat' && decision.outcome === 'ORDER_PLACED') ordered.push(ms);
    }
  } finally {
    await session.close();
    await sim.close();
  }
  const outcomes: Record<string, number> = {};
  for (const r of records) if (r.type === 'heartbeat') outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  console.log(`\n${label}: 4 days of 1m BTCUSDT through ccxt → exchange-sim (manual pace), ${ordered.length} entries placed`);
  console.log(`decisions: ${JSON.stringify(outcomes)}`);
  stats('every bar (close → handled)', all);
  stats('heartbeats (close → decision)', beats);
  stats('heartbeats placing orders (close → E+SL+TP acked)', ordered);
  stats('coordinator heartbeat alone', session.runner.heartbeatMs);
}

const { dir, storePath } = await importedStore();
// Four real models trained on the five days before the benched period (`xylen models init`), one server each.
const init = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'xylen.js'), '--db', storePath, 'models', 'init', '--from', '2025-05-05', '--to', '2025-05-10', '--json'], { encoding: 'utf8' });
if (init.status !== 0) throw new Error(`models init failed: ${init.stderr}`);
const ids = ['trend-gbdt', 'reversion-gbdt', 'momentum-logreg', 'all-gbdt-tb'];
// Retraining off: at the bench's pace 4 days of outcomes arrive in seconds, and every server would retrain a dozen
// times during the measurement (in real time that is once in days); the decision path is what is timed.
const servers = await startFourModelServers({ storePath, ids }, undefined, ['--no-retrain']);
try {
  await pass(`four HTTP model servers (${ids.join(', ')})`, Object.entries(servers.urls).map(([name, endpoint]) => ({ name, kind: 'http' as const, endpoint })));
  await pass('the four rule models in-process (the exchange path alone)', undefined);
} finally {
  await servers.stop();
  rmSync(dir, { recursive: true, force: true });
}
