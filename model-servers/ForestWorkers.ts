import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { operationalError } from '../engine/index.ts';
import type { ForestProgram, ForestRunner } from './ForestProgram.ts';

/** Below this many rows a batch runs on the calling thread: handing out work costs more than it saves. */
export const PARALLEL_MIN_ROWS = 65_536;

/** Rows per piece of a batch: the shared arena holds this many (≈ 3 MB for 10 features), a larger batch goes through in turns. */
const PIECE_ROWS = 65_536;

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads that run a forest's WebAssembly program over the same shared memory as the calling thread: each
 * piece of a batch is copied into the memory's arena once, then every thread (the calling one included) takes blocks
 * of its rows until none are left (ForestProgram's `work`), so the split follows whichever thread is free. The
 * workers are a few lines of JavaScript text that instantiate the compiled module, so there is no worker file to
 * build or resolve. Batches queue: one at a time uses the arena. Workers do not keep the process alive between calls.
 */
export class ForestWorkers {
  private readonly pending = new Map<Worker, Pending>();
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;

  private constructor(
    private readonly runner: ForestRunner,
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
  static create(program: ForestProgram, threads = Math.min(availableParallelism(), 4)): ForestWorkers | undefined {
    if (threads < 2) return undefined;
    const runner = program.runner(PIECE_ROWS);
    const source = `
      const { parentPort, workerData: { module, memory, arena } } = require('node:worker_threads');
      const { work } = new WebAssembly.Instance(module, { env: { memory } }).exports;
      parentPort.on('message', (n) => {
        work(arena.x, arena.out, n, arena.counter);
        parentPort.postMessage(null);
      });`;
    const workerData = { module: program.module, memory: runner.memory, arena: runner.arena };
    return new ForestWorkers(runner, Array.from({ length: threads - 1 }, () => new Worker(source, { eval: true, workerData })));
  }

  /** The margins of n rows (n × groups), the batch shared between the workers and the calling thread. */
  margins(rows: Float32Array, n: number): Promise<Float64Array> {
    const run = this.queue.then(() => this.marginsNow(rows, n));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async marginsNow(rows: Float32Array, n: number): Promise<Float64Array> {
    const { numFeature: f, groups: g } = this.runner.program;
    const out = new Float64Array(n * g);
    for (let r0 = 0; r0 < n; r0 += PIECE_ROWS) {
      const piece = Math.min(PIECE_ROWS, n - r0);
      this.runner.load(rows.subarray(r0 * f, (r0 + piece) * f), piece);
      const done = this.workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            if (this.failure) return reject(this.failure);
            this.pending.set(worker, { resolve, reject });
            worker.ref();
            worker.postMessage(piece);
          }),
      );
      this.runner.run(piece);
      await Promise.all(done);
      out.set(this.runner.margins(piece), r0 * g);
    }
    return out;
  }

  private settle(worker: Worker, error?: Error): void {
    if (error) this.failure ??= operationalError('MODEL_WORKER_FAILED', `a model worker thread failed: ${error.message}`, { cause: error });
    const pending = this.pending.get(worker);
    if (!pending) return;
    this.pending.delete(worker);
    worker.unref();
    if (error) pending.reject(this.failure!);
    else pending.resolve();
  }
}
