import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { operationalError } from '../engine/index.ts';
import { addTrees, kernelSource, type ForestArrays } from './XgboostForest.ts';

/** Below this many rows a batch runs on the calling thread: handing out work costs more than it saves. */
export const PARALLEL_MIN_ROWS = 65_536;

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads that each hold a copy of a forest and add its trees to a range of rows in shared memory; the
 * calling thread takes a range too. The workers compile the same generated kernel text as the calling thread
 * (`kernelSource`), so there is one kernel and no separate worker file to build or resolve. Workers do not keep the
 * process alive between calls.
 */
export class ForestWorkers {
  private readonly pending = new Map<Worker, Pending>();

  private constructor(
    private readonly forest: ForestArrays,
    private readonly workers: Worker[],
  ) {
    for (const worker of workers) {
      worker.unref();
      worker.on('message', () => this.settle(worker));
      worker.on('error', (error) => this.settle(worker, error));
      worker.on('exit', (code) => this.settle(worker, new Error(`worker exited with code ${code}`)));
    }
  }

  /** Workers for all but one of the available cores (at most 3); undefined on a one-core machine. */
  static create(forest: ForestArrays, threads = Math.min(availableParallelism(), 4)): ForestWorkers | undefined {
    if (threads < 2) return undefined;
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addTrees = new Function('m', 'x', 'r0', 'r1', 'out', ${JSON.stringify(kernelSource(forest.depth))});
      parentPort.on('message', ({ x, margins, r0, r1 }) => {
        addTrees(workerData, new Float64Array(x), r0, r1, new Float64Array(margins));
        parentPort.postMessage(null);
      });`;
    return new ForestWorkers(forest, Array.from({ length: threads - 1 }, () => new Worker(source, { eval: true, workerData: forest })));
  }

  /** Add the trees to `margins` for rows [0, n) of `x`; both must live on a SharedArrayBuffer. */
  async addTrees(x: Float64Array, n: number, margins: Float64Array): Promise<void> {
    const parts = this.workers.length + 1;
    const chunk = Math.ceil(n / parts / 8) * 8;
    const done = this.workers.map((worker, i) => {
      const r0 = Math.min(n, (i + 1) * chunk);
      const r1 = Math.min(n, r0 + chunk);
      return new Promise<void>((resolve, reject) => {
        this.pending.set(worker, { resolve, reject });
        worker.ref();
        worker.postMessage({ x: x.buffer, margins: margins.buffer, r0, r1 });
      });
    });
    addTrees(this.forest, x, 0, Math.min(n, chunk), margins);
    await Promise.all(done);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(worker: Worker, error?: Error): void {
    const pending = this.pending.get(worker);
    if (!pending) return;
    this.pending.delete(worker);
    worker.unref();
    if (error) pending.reject(operationalError('MODEL_WORKER_FAILED', `a model worker thread failed: ${error.message}`, { cause: error }));
    else pending.resolve();
  }
}
