import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configSchema } from '../config/index.ts';
import { Store } from '../data/index.ts';
import { importSynthetic } from '../data/synth/index.ts';
import type { Journal } from '../engine/index.ts';
import { loadReplayData } from '../research/replay/loadReplayData.ts';
import { replayInputs } from '../research/replay/replayInputs.ts';
import { runStoredReplay } from '../research/replay/runStoredReplay.ts';
import { median } from './median.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const END = START + 366 * DAY;

/** Counts records and keeps none: the engine's own cost, without storage. */
class CountingJournal implements Journal {
  count = 0;
  record(): void {
    this.count++;
  }
}

/**
 * `xylen replay` speed on one year of seeded synthetic 1m BTCUSDT (the real 1m data here covers one month):
 * 5m decisions with 1h context, the four default rule models, full risk and funding. Figures after the data is
 * loaded: the engine alone (journal records counted, not stored), then the whole run with the DuckDB journal.
 */
export async function run(): Promise<void> {
  console.log(`replay: one year of synthetic 1m BTCUSDT, default config; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  const dir = await mkdtemp(join(tmpdir(), 'xylen-replay-bench-'));
  const store = await Store.open(join(dir, 'bench.duckdb'));
  try {
    await importSynthetic(store, { symbol: 'BTCUSDT', start: START, end: END, interval: '1m', seed: 42, price: 60_000 });
    const config = configSchema.parse({ market: 'synthetic' });
    const request = { market: 'synthetic' as const, symbol: 'BTCUSDT', from: START + 3 * DAY, to: END };
    const loadStarted = performance.now();
    const inputs = await loadReplayData(store, { ...request, decisionInterval: '5m', contextInterval: '1h' });
    console.log(`  load       ${(performance.now() - loadStarted).toFixed(0)} ms  (${inputs.base.length.toLocaleString('en-US')} base bars, ${inputs.decision.length.toLocaleString('en-US')} decision candles)`);

    const times: number[] = [];
    const cpu: number[] = [];
    let records = 0;
    for (let i = 0; i < 5; i++) {
      const journal = new CountingJournal();
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const outcome = await replayInputs(inputs, config, journal);
      times.push(performance.now() - started);
      cpu.push(cpuMs(process.cpuUsage(cpuStarted)));
      records = journal.count;
      if (i === 0) console.log(`  engine     first run ${times[0]!.toFixed(0)} ms (${outcome.decisions.toLocaleString('en-US')} decisions, ${records.toLocaleString('en-US')} records)`);
    }
    const best = Math.min(...times);
    const middle = median(times);
    console.log(`  engine     best ${best.toFixed(0)} ms, median ${middle.toFixed(0)} ms  →  ${Math.round(inputs.base.length / (best / 1000)).toLocaleString('en-US')} bars/s best, ${Math.round(inputs.base.length / (middle / 1000)).toLocaleString('en-US')} median; CPU best ${Math.min(...cpu).toFixed(0)} ms`);

    // The stored runs: the replay and every record written to the DuckDB journal and committed (the run's elapsedMs
    // leaves the commit out, so time the whole call minus the load it repeats). A period's first run also stores its
    // feature matrix; the runs after it refer to that copy, as any re-run of a period does. A stored run of another
    // period first, so that the first runs are timed warm too; three first runs (the year, and the year from one and
    // two days later), since one figure on a noisy machine says little.
    await runStoredReplay(store, config, { ...request, to: END - DAY });
    const timed = async (period: typeof request) => {
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      const full = await runStoredReplay(store, config, period);
      const wall = performance.now() - started - full.loadMs;
      return { wall, cpu: cpuMs(process.cpuUsage(cpuStarted)), bars: full.bars, runId: full.runId, trades: full.metrics.trades };
    };
    type Timed = Awaited<ReturnType<typeof timed>>;
    const firsts: Timed[] = [];
    for (const days of [2, 1, 0]) firsts.push(await timed({ ...request, from: request.from + days * DAY }));
    const reruns: Timed[] = [];
    for (let i = 0; i < 5; i++) reruns.push(await timed(request));
    const byWall = (runs: Timed[]) => [...runs].sort((a, b) => a.wall - b.wall);
    const rate = (run: { wall: number; bars: number }) => Math.round(run.bars / (run.wall / 1000)).toLocaleString('en-US');
    const bestStored = byWall(reruns)[0]!;
    const medianStored = byWall(reruns)[2]!;
    console.log(`  with DuckDB journal, end to end after loading (run ${bestStored.runId}, ${bestStored.trades} trades):`);
    console.log(
      `    first run of a period, storing its features too  best ${byWall(firsts)[0]!.wall.toFixed(0)} ms of ${firsts.map((r) => r.wall.toFixed(0)).join(', ')}  →  ${rate(byWall(firsts)[0]!)} bars/s best, ${rate(byWall(firsts)[1]!)} median`,
    );
    console.log(
      `    re-runs (features stored)  best ${bestStored.wall.toFixed(0)} ms of ${reruns.map((r) => r.wall.toFixed(0)).join(', ')}  →  ${rate(bestStored)} bars/s best, ${rate(medianStored)} median (CPU incl. loading ${bestStored.cpu.toFixed(0)} ms)`,
    );
    console.log(`  peak RSS   ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (this process: synthesis, load, 5 engine runs and 9 stored runs)`);

    // What a user's `xylen replay` does: a fresh process, whose JIT starts cold (the store is closed for it first).
    store.close();
    const fresh = async (period: typeof request) => {
      const args = ['--db', join(dir, 'bench.duckdb'), 'replay', '--market', 'synthetic', '--from', String(period.from), '--to', String(period.to), '--json'];
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 });
      return JSON.parse(stdout) as { bars: number; elapsedMs: number; storeMs: number; phasesMs: { features: number; journal: number; loop: number } };
    };
    const first = await fresh({ ...request, from: request.from + 3 * DAY });
    console.log(
      `  fresh \`xylen replay\` processes, end to end after loading: first run of a period ${(first.elapsedMs / 1000).toFixed(2)} s + ${(first.storeMs / 1000).toFixed(2)} s commit (${rate({ wall: first.elapsedMs + first.storeMs, bars: first.bars })} bars/s)`,
    );
    // Seven re-runs: one fresh process says little on a shared machine, where they spread by a third.
    const rerunsFresh: Awaited<ReturnType<typeof fresh>>[] = [];
    for (let i = 0; i < 7; i++) rerunsFresh.push(await fresh(request));
    const loops = rerunsFresh.map((r) => r.elapsedMs);
    const totals = rerunsFresh.map((r) => r.elapsedMs + r.storeMs);
    const bars = rerunsFresh[0]!.bars;
    console.log(
      `    re-runs of the year, seven processes: ${loops.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s before the commit (median ${rate({ wall: median(loops), bars })} bars/s); ` +
        `with the commit median ${(median(totals) / 1000).toFixed(2)} s, ${rate({ wall: median(totals), bars })} bars/s`,
    );
    const phase = (key: 'features' | 'journal' | 'loop') => median(rerunsFresh.map((r) => r.phasesMs[key])).toFixed(0);
    console.log(`    their median phases: features ${phase('features')} ms, journal set-up ${phase('journal')} ms, loop ${phase('loop')} ms`);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const BIN = new URL('../bin/xylen.js', import.meta.url).pathname;

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

if (import.meta.url === `file://${process.argv[1]}`) await run();
