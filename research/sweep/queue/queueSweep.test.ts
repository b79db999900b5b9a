import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../config/index.ts';
import { Store } from '../../../data/index.ts';
import { importSynthetic } from '../../../data/synth/index.ts';
import { XylenError } from '../../../engine/index.ts';
import { REPO_ROOT } from '../../../test/paths.ts';
import { parseGrid } from '../parseGrid.ts';
import { runSweep } from '../runSweep.ts';
import { sweepResults, type StoredSweepResult } from '../sweepTables.ts';
import { queueRunner } from './queueRunner.ts';
import type { SweepJobData } from './sweepJob.ts';
import { startRedis, type RedisProcess } from './test/startRedis.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 6, 1);
const DATA = { market: 'synthetic' as const, symbol: 'BTCUSDT', from: START + DAY, to: START + 15 * DAY };
const base = configSchema.parse({ market: 'synthetic', ensemble: { threshold: 0.2, quorum: 1 }, risk: { stop_loss_pct: 0.004, take_profit_pct: 0.008 } });
const GRID = 'ensemble.method: [weighted_vote, majority, bayesian_weighted]\nensemble.threshold: [0.2, 0.4]\nmodels: [[momentum, rsi], [macd_cross, mean_reversion, momentum, rsi]]';

let dir: string;
let dataDb: string;
let redis: RedisProcess;
const children: ChildProcess[] = [];

async function syntheticStore(path: string, seed: number): Promise<void> {
  const store = await Store.open(path);
  await importSynthetic(store, { symbol: 'BTCUSDT', start: START, end: START + 16 * DAY, interval: '1m', seed, price: 60_000 });
  store.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xylen-queue-'));
  dataDb = join(dir, 'data.duckdb');
  await syntheticStore(dataDb, 31);
  redis = await startRedis();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `xylen worker` in a process of its own, reading `db`; resolves once it waits for jobs. */
async function startWorker(db: string, queueName: string): Promise<{ child: ChildProcess; name: string; log: () => string }> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'xylen.js'), 'worker', '--queue', redis.url, '--queue-name', queueName, '--db', db, '--lock-ms', '2000', '--stalled-ms', '500'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes('waiting for sweeps')) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the worker exited: ${log}`));
      }
    }, 20);
  });
  return { child, name: `${hostname()}:${child.pid}`, log: () => log };
}

async function stored(db: string, sweepId: string): Promise<StoredSweepResult[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await sweepResults(store, sweepId, { returns: true });
  } finally {
    store.close();
  }
}

describe('a sweep on a BullMQ queue', () => {
  it('two worker processes, one SIGKILLed mid-job, give the same results table as the local pool', async () => {
    const grid = parseGrid(GRID, 'grid.yaml');
    const localDb = join(dir, 'local.duckdb');
    const queueDb = join(dir, 'queue.duckdb');
    copyFileSync(dataDb, localDb);
    copyFileSync(dataDb, queueDb);
    const local = await runSweep({ grid, base, dbPath: localDb, ...DATA, workers: 0, name: 'distributed' });

    // Both workers read the same data file, read-only; the sweep writes to its own copy.
    const [doomed, survivor] = await Promise.all([startWorker(dataDb, 'kill-test'), startWorker(dataDb, 'kill-test')]);
    const watcher = new Queue<SweepJobData>('kill-test', { connection: { url: redis.url } });
    let killed: string | undefined;
    let finished = false;
    const watching = (async () => {
      while (killed === undefined && !finished && doomed.child.exitCode === null) {
        const active = await watcher.getActive();
        const job = active.find((j) => j.processedBy === doomed.name);
        if (job) {
          doomed.child.kill('SIGKILL');
          killed = job.data.hash;
        } else await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const outcome = await runSweep({ grid, base, dbPath: queueDb, ...DATA, name: 'distributed', runner: queueRunner({ url: redis.url, queueName: 'kill-test', pollMs: 50 }) }).finally(
      () => (finished = true),
    );
    await watching;
    expect(killed).toBeDefined();
    expect(outcome).toMatchObject({ sweepId: local.sweepId, status: 'complete', configs: 12, stored: 12 });

    const fromQueue = await stored(queueDb, outcome.sweepId);
    const fromPool = await stored(localDb, local.sweepId);
    expect(fromQueue).toHaveLength(12);
    expect(new Set(fromQueue.map((r) => r.hash)).size).toBe(12);
    expect(fromQueue.map((r) => r.hash)).toEqual(fromPool.map((r) => r.hash));
    fromQueue.forEach((r, i) => {
      expect(r.metrics).toEqual(fromPool[i]!.metrics);
      expect(Array.from(r.returns!)).toEqual(Array.from(fromPool[i]!.returns!));
      expect(r.params).toEqual(fromPool[i]!.params);
    });
    // The job the killed worker held was replayed by the other one; every result came from a worker process.
    expect(fromQueue.find((r) => r.hash === killed)!.worker).toBe(survivor.name);
    expect(fromQueue.every((r) => r.worker === survivor.name || r.worker === doomed.name)).toBe(true);
    // Collected results are deleted from Redis once stored.
    expect((await watcher.getJobCounts()).completed).toBe(0);
    await watcher.close();
    survivor.child.kill('SIGTERM');
  });

  it('a worker whose store holds other candles fails the job, saying so, and the sweep stops with that message', async () => {
    const otherDb = join(dir, 'other.duckdb');
    await syntheticStore(otherDb, 32);
    const queueDb = join(dir, 'mismatch.duckdb');
    copyFileSync(dataDb, queueDb);
    const worker = await startWorker(otherDb, 'mismatch-test');
    const grid = parseGrid('ensemble.threshold: [0.3, 0.5]', 'grid.yaml');
    const error = await runSweep({ grid, base, dbPath: queueDb, ...DATA, name: 'mismatch', runner: queueRunner({ url: redis.url, queueName: 'mismatch-test', pollMs: 50 }) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(XylenError);
    expect((error as XylenError).code).toBe('SWEEP_JOB_FAILED');
    expect((error as XylenError).message).toContain(`DATA_MISMATCH: this worker's store ${otherDb} holds other synthetic BTCUSDT candles`);
    expect(worker.log()).toContain('FAILED');
    worker.child.kill('SIGTERM');
  });

  it('says clearly when Redis is not there', async () => {
    const grid = parseGrid('ensemble.threshold: [0.3]', 'grid.yaml');
    const queueDb = join(dir, 'unreachable.duckdb');
    copyFileSync(dataDb, queueDb);
    await expect(runSweep({ grid, base, dbPath: queueDb, ...DATA, runner: queueRunner({ url: 'redis://127.0.0.1:1/0' }) })).rejects.toMatchObject({ code: 'QUEUE_UNREACHABLE' });
    expect(() => queueRunner({ url: 'http://127.0.0.1:6379' })).toThrow(/Redis URL/);
  });
});
