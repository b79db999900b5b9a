import { Worker } from 'node:worker_threads';
import { operationalError } from '../../engine/index.ts';
import { runSweepConfig, type SweepConfigResult, type SweepTask } from './runSweepConfig.ts';
import type { SweepDataset } from './SweepDataset.ts';
import { deserializeError, type SerializedError } from './serializeError.ts';

type WorkerMessage = { type: 'ready' } | { type: 'result'; result: SweepConfigResult } | { type: 'error'; index: number; error: SerializedError };

const WORKER_ENTRY = new URL('./sweepWorker.boot.js', import.meta.url);

/** How a pool run ended: every task done, or stopped by the signal (the results delivered so far stand). */
export type PoolOutcome = { status: 'done'; completed: number } | { status: 'aborted'; completed: number };

/**
 * Worker threads that replay configurations over one shared dataset. The dataset is handed to each worker once (on
 * shared memory, see shareDataset); tasks go out one at a time to whichever worker is free, and results come back to
 * the calling thread, which alone writes to the store. With 0 threads the configurations run in the calling thread.
 */
export class SweepPool {
  private constructor(
    private readonly dataset: SweepDataset,
    private readonly periodMs: number,
    private readonly workers: Worker[],
  ) {}

  static async start(dataset: SweepDataset, periodMs: number, threads: number): Promise<SweepPool> {
    const workers = Array.from({ length: threads }, () => {
      const worker = new Worker(WORKER_ENTRY, { workerData: { dataset, periodMs } });
      // Between runs nobody listens; an error then must not crash the process (the next run sees the worker gone).
      worker.on('error', () => {});
      return worker;
    });
    try {
      await Promise.all(workers.map((w) => firstMessage(w)));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new SweepPool(dataset, periodMs, workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  /**
   * Replay `tasks`, calling `onResult` for each as it finishes (in completion order). Resolves when all are done or,
   * once `signal` aborts, as soon as the tasks in flight are dropped (their workers are stopped). The first failing
   * configuration rejects the run.
   */
  run(tasks: readonly SweepTask[], onResult: (result: SweepConfigResult) => void, signal?: AbortSignal): Promise<PoolOutcome> {
    if (this.workers.length === 0) return this.runHere(tasks, onResult, signal);
    return new Promise<PoolOutcome>((resolve, reject) => {
      let next = 0;
      let completed = 0;
      let settled = false;
      const busy = new Set<Worker>();
      type Listener = (...args: any[]) => void;
      const listeners: [Worker, string, Listener][] = [];
      const listen = (worker: Worker, event: string, handler: Listener) => {
        worker.on(event, handler);
        listeners.push([worker, event, handler]);
      };
      const finish = (outcome: PoolOutcome | Error) => {
        if (settled) return;
        settled = true;
        for (const [w, event, handler] of listeners) w.off(event, handler);
        signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const onAbort = () => finish({ status: 'aborted', completed });
      const dispatch = (worker: Worker) => {
        if (settled) return;
        if (next >= tasks.length) {
          busy.delete(worker);
          if (busy.size === 0) finish({ status: 'done', completed });
          return;
        }
        busy.add(worker);
        worker.postMessage(tasks[next++]);
      };
      for (const worker of this.workers) {
        listen(worker, 'message', (message: WorkerMessage) => {
          if (settled) return;
          if (message.type === 'result') {
            completed++;
            try {
              onResult(message.result);
            } catch (error) {
              return finish(error as Error);
            }
            dispatch(worker);
          } else if (message.type === 'error') {
            const task = tasks.find((t) => t.index === message.index);
            finish(deserializeError(message.error, `configuration #${message.index}${task ? ` (${task.hash})` : ''}: `));
          }
        });
        listen(worker, 'error', (error: Error) => finish(operationalError('SWEEP_WORKER_FAILED', `a sweep worker thread failed: ${error.message}`, { cause: error })));
        listen(worker, 'exit', (code: number) => finish(operationalError('SWEEP_WORKER_FAILED', `a sweep worker thread exited (code ${code})`)));
      }
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (tasks.length === 0) return finish({ status: 'done', completed });
      for (const worker of this.workers) dispatch(worker);
    });
  }

  private async runHere(tasks: readonly SweepTask[], onResult: (result: SweepConfigResult) => void, signal?: AbortSignal): Promise<PoolOutcome> {
    let completed = 0;
    for (const task of tasks) {
      // Let a pending SIGINT handler run between configurations.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return { status: 'aborted', completed };
      onResult(await runSweepConfig(this.dataset, task, this.periodMs));
      completed++;
    }
    return { status: 'done', completed };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function firstMessage(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (error) => reject(operationalError('SWEEP_WORKER_FAILED', `a sweep worker thread failed to start: ${error.message}`, { cause: error })));
    worker.once('exit', (code) => reject(operationalError('SWEEP_WORKER_FAILED', `a sweep worker thread exited while starting (code ${code})`)));
  });
}
