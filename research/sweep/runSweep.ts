import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { XylenConfig } from '../../config/index.ts';
import type { Store } from '../../data/index.ts';
import { formatTime, inputError, intervalMs, INTERVAL_MS, type Interval } from '../../engine/index.ts';
import { canonicalJson } from '../journal/canonicalJson.ts';
import { runStoredReplay } from '../replay/runStoredReplay.ts';
import { expandGrid, type SweepConfig } from './expandGrid.ts';
import type { Grid } from './parseGrid.ts';
import type { SweepConfigResult, SweepTask } from './runSweepConfig.ts';
import { loadSweepDataset } from './loadSweepDataset.ts';
import { shareDataset, type SweepDataRequest, type SweepDataset } from './SweepDataset.ts';
import { SweepPool, type PoolOutcome } from './SweepPool.ts';
import { rankResults } from './summarizeSweep.ts';
import { saveSweep, setResultRunId, storedHashes, sweepResults, type NewSweepResult, type StoredSweep } from './sweepTables.ts';
import { openWritable, SweepWriter } from './SweepWriter.ts';

/**
 * Runs a sweep's remaining configurations somewhere — the local thread pool, or a queue of remote workers — calling
 * `onResult` as each finishes, until all are done or `signal` aborts.
 */
export interface SweepRunner {
  run(tasks: readonly SweepTask[], onResult: (result: SweepConfigResult, worker: string) => void, signal?: AbortSignal): Promise<PoolOutcome>;
  close(): Promise<void>;
  /** Where the configurations run, for the user: "2 worker threads", "queue redis://…". */
  readonly describe: string;
  /** Results that are now in the store: a queue may drop its copies. */
  release?(hashes: readonly string[]): void;
}

export interface SweepRequest extends SweepDataRequest {
  grid: Grid;
  /** The config every grid value is applied to (the effective xylen.yaml). */
  base: XylenConfig;
  dbPath: string;
  /** Default: the grid file's name without extension. */
  name?: string;
  /** Length of the return periods stored for PBO and DSR; default: 1h, or the coarsest decision interval if longer. */
  periodMs?: number;
  /** Worker threads of the local pool; default: the machine's cores. 0 runs in the calling thread. */
  workers?: number;
  /** Replay elsewhere (a queue); the default runs the local pool over the dataset. */
  runner?: (dataset: SweepDataset, periodMs: number, sweep: StoredSweep) => Promise<SweepRunner>;
  /** Store full journaled runs of the best N configurations once the sweep is complete (by `journalBy`, default sharpe). */
  journalTop?: number;
  journalBy?: string;
  /** Write buffered results every this many ms (default 2000). */
  flushMs?: number;
  signal?: AbortSignal;
  /** Called once the plan is known, and after each write with the results stored so far. */
  onPlan?: (plan: SweepPlan) => void;
  onStored?: (stored: number, total: number) => void;
  /** Called as each configuration finishes (before it is written), with how many of this run's are done. */
  onProgress?: (done: number, total: number) => void;
}

export interface SweepPlan {
  sweepId: string;
  name: string;
  configs: number;
  /** Already stored by an earlier run of the same sweep, skipped now. */
  skipped: number;
  periodMs: number;
  /** Where the configurations run (SweepRunner.describe). */
  runner: string;
}

export interface SweepOutcome extends SweepPlan {
  status: 'complete' | 'interrupted';
  /** Results stored by this run. */
  stored: number;
  elapsedMs: number;
  /** Base bars replayed per second over all configurations of this run. */
  barConfigsPerSecond: number;
  journaled: { hash: string; runId: string }[];
}

/**
 * A parameter sweep: every configuration of the grid replayed over one data set, each result (config, metrics,
 * per-period returns) stored under the sweep's id and the config's hash. Rerunning the same sweep skips what is
 * stored. The store is opened read-write only in bursts (load, then each batch of results; see SweepWriter), and
 * worker threads never touch it. On abort the finished results are written and the sweep is marked interrupted.
 */
export async function runSweep(request: SweepRequest): Promise<SweepOutcome> {
  const started = performance.now();
  const configs = expandGrid(request.grid, request.base);
  const periodMs = choosePeriod(configs, request.periodMs);
  checkSweepRange(request, periodMs);
  const name = request.name ?? request.grid.file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const sweepId = sweepIdFor(name, request, periodMs, configs);

  // One burst to start: load what every configuration shares, record the sweep, see what is already done.
  const { dataset, sweep, done } = await withWritableStore(request.dbPath, async (store) => {
    const dataset = await loadSweepDataset(store, request, configs.map((c) => c.config));
    const sweep = await saveSweep(store, {
      sweepId,
      name,
      market: request.market,
      symbol: request.symbol,
      from: request.from,
      to: request.to,
      periodMs,
      configs: configs.length,
      grid: { file: request.grid.file, axes: request.grid.axes },
      baseConfig: request.base,
      dataChecksum: dataset.checksum,
    });
    return { dataset, sweep, done: await storedHashes(store, sweepId) };
  });
  const tasks: SweepTask[] = configs.filter((c) => !done.has(c.hash)).map(({ index, hash, config }) => ({ index, hash, config }));
  const byHash = new Map(configs.map((c) => [c.hash, c]));

  const runner = request.runner ? await request.runner(dataset, periodMs, sweep) : await localRunner(dataset, periodMs, request.workers ?? availableParallelism());
  const plan: SweepPlan = { sweepId, name, configs: configs.length, skipped: configs.length - tasks.length, periodMs, runner: runner.describe };
  request.onPlan?.(plan);

  const writer = new SweepWriter(request.dbPath, sweepId, {
    flushMs: request.flushMs ?? 2000,
    onFlush: (_inserted, hashes) => {
      runner.release?.(hashes);
      request.onStored?.(plan.skipped + writer.stored, configs.length);
    },
  });
  let bars = 0;
  let finished = 0;
  let outcome: PoolOutcome;
  writer.start();
  try {
    outcome = await runner.run(
      tasks,
      (result, worker) => {
        const config = byHash.get(result.hash);
        if (!config) return; // a result for a configuration this grid no longer has (a stale queue job)
        bars += result.bars;
        writer.add(toNewResult(result, config, worker));
        request.onProgress?.(++finished, tasks.length);
      },
      request.signal,
    );
  } catch (error) {
    // What finished is written before the runner lets go of it (a queue then deletes its copies).
    await writer.finish('failed', error instanceof Error ? error.message : String(error)).finally(() => runner.close());
    throw error;
  }
  const status = outcome.status === 'done' ? 'complete' : 'interrupted';
  try {
    await writer.finish(status, status === 'interrupted' ? `stopped after ${plan.skipped + writer.stored} of ${configs.length} configurations` : null);
  } finally {
    await runner.close();
  }
  request.onStored?.(plan.skipped + writer.stored, configs.length);

  const journaled = status === 'complete' && (request.journalTop ?? 0) > 0 ? await journalTop(request, sweepId, byHash) : [];
  const elapsedMs = performance.now() - started;
  return { ...plan, status, stored: writer.stored, elapsedMs, barConfigsPerSecond: bars / (elapsedMs / 1000), journaled };
}

async function localRunner(dataset: SweepDataset, periodMs: number, workers: number): Promise<SweepRunner> {
  const pool = await SweepPool.start(workers > 0 ? shareDataset(dataset) : dataset, periodMs, workers);
  return {
    describe: workers > 0 ? `${workers} worker thread${workers > 1 ? 's' : ''}` : 'the main thread',
    run: (tasks, onResult, signal) => pool.run(tasks, (result) => onResult(result, 'local'), signal),
    close: () => pool.close(),
  };
}

function toNewResult(result: SweepConfigResult, config: SweepConfig, worker: string): NewSweepResult {
  return {
    hash: result.hash,
    index: config.index,
    params: config.params,
    config: config.config,
    metrics: result.metrics,
    returns: result.returns,
    bars: result.bars,
    elapsedMs: result.elapsedMs,
    worker,
    runId: null,
  };
}

/** Full journaled replays of the best configurations (the sweep itself keeps no journal), linked from their rows. */
async function journalTop(request: SweepRequest, sweepId: string, byHash: Map<string, SweepConfig>): Promise<{ hash: string; runId: string }[]> {
  return withWritableStore(request.dbPath, async (store) => {
    const ranked = rankResults(await sweepResults(store, sweepId), request.journalBy ?? 'sharpe').slice(0, request.journalTop);
    const journaled: { hash: string; runId: string }[] = [];
    for (const result of ranked) {
      if (result.runId) {
        journaled.push({ hash: result.hash, runId: result.runId });
        continue;
      }
      const config = byHash.get(result.hash);
      if (!config) continue;
      const run = await runStoredReplay(store, config.config, { market: request.market, symbol: request.symbol, from: request.from, to: request.to });
      await setResultRunId(store, sweepId, result.hash, run.runId);
      journaled.push({ hash: result.hash, runId: run.runId });
    }
    return journaled;
  });
}

/** Open the store read-write for one burst of work, waiting (with backoff) while a reader holds it. */
async function withWritableStore<T>(dbPath: string, work: (store: Store) => Promise<T>, waitMs = 30_000): Promise<T> {
  const store = await openWritable(dbPath, waitMs);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

/**
 * The id of a sweep: a hash of its name, data, return period and the set of configuration hashes. The same command
 * over the same config and grid gives the same id, which is what makes a rerun resume.
 */
export function sweepIdFor(name: string, data: SweepDataRequest, periodMs: number, configs: readonly SweepConfig[]): string {
  const identity = canonicalJson({ name, market: data.market, symbol: data.symbol, from: data.from, to: data.to, periodMs, configs: configs.map((c) => c.hash).sort() });
  return `sw-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/** 1h, or the coarsest decision interval of the grid if that is longer; an explicit period may not be finer than it. */
export function choosePeriod(configs: readonly SweepConfig[], requested?: number): number {
  const coarsest = Math.max(...configs.map((c) => intervalMs(c.config.intervals.decision as Interval)));
  if (requested === undefined) return Math.max(INTERVAL_MS['1h'], coarsest);
  if (requested < coarsest) {
    throw inputError('SWEEP_PERIOD_TOO_FINE', `the return period (${requested / 60_000} min) is finer than the grid's coarsest decision interval (${coarsest / 60_000} min)`, {
      where: '--period',
      hint: 'a config cannot change its equity between decisions: use a period at least as long as every decision interval',
    });
  }
  return requested;
}

/** The range must give PBO enough periods: 16 blocks of 2 at the least. */
export function checkSweepRange(data: SweepDataRequest, periodMs: number): void {
  const periods = Math.floor((data.to - data.from) / periodMs);
  if (periods < 2) {
    throw inputError('SWEEP_RANGE_TOO_SHORT', `${formatTime(data.from)} → ${formatTime(data.to)} holds ${periods} return period(s) of ${periodMs / 60_000} min`, {
      where: '--from/--to',
      hint: 'widen the range or shorten --period',
    });
  }
}
