import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Store } from '../../../data/index.ts';
import { formatTime, XylenError } from '../../../engine/index.ts';
import { canonicalJson } from '../../journal/canonicalJson.ts';
import { loadSweepDataset } from '../loadSweepDataset.ts';
import { runSweepConfig } from '../runSweepConfig.ts';
import { datasetCovers, type SweepDataset } from '../SweepDataset.ts';
import { DEFAULT_QUEUE_NAME } from './queueRunner.ts';
import { checkRedis, parseQueueUrl } from './queueUrl.ts';
import { encodeJobResult, type SweepJobData, type SweepJobResult } from './sweepJob.ts';

export interface QueueWorkerOptions {
  url: string;
  queueName?: string;
  /** This worker's own store, opened read-only when a job needs data not loaded yet. */
  dbPath: string;
  /** How long a job's lock lasts without renewal (ms): a worker that dies loses its job to another after about this. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (ms). */
  stalledIntervalMs?: number;
  /** Called as each job ends. */
  onJob?: (event: { job: SweepJobData; ok: boolean; elapsedMs: number; error?: string }) => void;
}

export interface QueueWorker {
  /** host:pid, as stored in each result's `worker` column. */
  name: string;
  /** Finish the job in hand, then disconnect. */
  close(): Promise<void>;
}

/**
 * A sweep worker process: takes configurations from the queue one at a time, replays them over its own store's data
 * (loaded once per data request and kept), and returns the result. Data is checked first: a job whose checksum differs
 * from this store's candles fails at once, saying so, and is not retried (another worker would have to answer it).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const url = parseQueueUrl(options.url);
  await checkRedis(url);
  const name = `${hostname()}:${process.pid}`;
  const datasets = new Map<string, SweepDataset>();

  const processor = async (job: Job<SweepJobData, SweepJobResult>): Promise<SweepJobResult> => {
    const started = performance.now();
    const { data } = job;
    try {
      const key = canonicalJson(data.data);
      const loaded = datasets.get(key);
      const dataset = datasetCovers(loaded, data.config) ? loaded! : await withReadOnlyStore(options.dbPath, (store) => loadSweepDataset(store, data.data, [data.config], loaded));
      datasets.set(key, dataset);
      if (dataset.checksum !== data.checksum) {
        throw new UnrecoverableError(
          `DATA_MISMATCH: this worker's store ${options.dbPath} holds other ${data.data.market} ${data.data.symbol} candles for ${formatTime(data.data.from)} → ${formatTime(data.data.to)} ` +
            `(checksum ${dataset.checksum.slice(0, 12)}…, the sweep's is ${data.checksum.slice(0, 12)}…): import the same data into every worker's store`,
        );
      }
      const result = await runSweepConfig(dataset, { index: data.index, hash: data.hash, config: data.config }, data.periodMs);
      options.onJob?.({ job: data, ok: true, elapsedMs: performance.now() - started });
      return encodeJobResult(result, name);
    } catch (error) {
      const message = error instanceof XylenError ? `${error.code}: ${error.describe()}` : error instanceof Error ? error.message : String(error);
      options.onJob?.({ job: data, ok: false, elapsedMs: performance.now() - started, error: message });
      // Bad input fails the same way everywhere: do not retry it. Anything else (a locked store, …) may pass elsewhere.
      if (error instanceof UnrecoverableError) throw error;
      if (error instanceof XylenError && error.kind === 'input') throw new UnrecoverableError(message);
      throw new Error(message);
    }
  };

  const worker = new Worker<SweepJobData, SweepJobResult>(options.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection: { url, maxRetriesPerRequest: null },
    name,
    concurrency: 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A worker killed mid-job leaves it stalled: it goes back to the queue this many times before it counts as failed.
    maxStalledCount: 5,
  });
  worker.on('error', () => {}); // connection errors: ioredis reconnects; jobs in hand come back through stalled checks
  await worker.waitUntilReady();
  return { name, close: () => worker.close() };
}

async function withReadOnlyStore<T>(dbPath: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
