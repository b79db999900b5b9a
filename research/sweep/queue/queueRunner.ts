import { Queue } from 'bullmq';
import { operationalError } from '../../../engine/index.ts';
import type { SweepRunner } from '../runSweep.ts';
import type { SweepDataset } from '../SweepDataset.ts';
import type { StoredSweep } from '../sweepTables.ts';
import { checkRedis, parseQueueUrl, redactUrl } from './queueUrl.ts';
import { decodeJobResult, DEFAULT_QUEUE_NAME, sweepJobId, type SweepJobData, type SweepJobResult } from './sweepJob.ts';

export { DEFAULT_QUEUE_NAME } from './sweepJob.ts';

export interface QueueRunnerOptions {
  url: string;
  queueName?: string;
  /** How often finished jobs are collected (ms). */
  pollMs?: number;
  /** Attempts per job before it counts as failed (a worker's crash is not an attempt: stalled jobs go back to wait). */
  attempts?: number;
}

/**
 * Run a sweep on `xylen worker` processes: each configuration becomes a BullMQ job (id = sweep id + config hash, so a
 * rerun never adds one twice), workers replay it against their own stores and return the result, and this side
 * collects finished jobs into the sweep's store. A job is deleted from Redis only once its result is written
 * (`release`), so a sweep that dies in between finds it again on the rerun.
 */
export function queueRunner(options: QueueRunnerOptions): (dataset: SweepDataset, periodMs: number, sweep: StoredSweep) => Promise<SweepRunner> {
  const url = parseQueueUrl(options.url);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  return async (dataset, periodMs, sweep) => {
    await checkRedis(url);
    const queue = new Queue<SweepJobData, SweepJobResult>(queueName, { connection: { url } });
    queue.on('error', () => {}); // connection trouble surfaces through the awaited calls
    const removals = new Set<Promise<unknown>>();
    const remove = (jobId: string) => {
      const removal = queue.remove(jobId).catch(() => 0);
      removals.add(removal);
      void removal.finally(() => removals.delete(removal));
    };
    return {
      describe: `queue "${queueName}" at ${redactUrl(url)} (start workers with \`xylen worker --queue ${redactUrl(url)}\`)`,
      async run(tasks, onResult, signal) {
        // Job ids are `${sweepId}-${hash}`: listing ids is cheap, and only this sweep's jobs are fetched whole.
        const prefix = sweepJobId(sweep.sweepId, '');
        const ids = async (state: 'completed' | 'failed') => (await queue.getRanges([state], 0, -1)).filter((id) => id.startsWith(prefix));
        const hashOf = (id: string) => id.slice(prefix.length);
        const wanted = new Set(tasks.map((t) => t.hash));
        // Jobs that failed in an earlier run would block re-adding their ids: clear them so they run again. Finished
        // jobs whose results an earlier run already stored (it stopped before deleting them) are dropped.
        for (const id of await ids('failed')) await queue.remove(id);
        for (const id of await ids('completed')) if (!wanted.has(hashOf(id))) remove(id);
        await queue.addBulk(
          tasks.map((task) => ({
            name: 'replay',
            data: { sweepId: sweep.sweepId, index: task.index, hash: task.hash, config: task.config, data: dataset.request, periodMs, checksum: dataset.checksum },
            opts: { jobId: sweepJobId(sweep.sweepId, task.hash), attempts: options.attempts ?? 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
          })),
        );
        const pending = new Set(wanted);
        let completed = 0;
        while (pending.size > 0) {
          if (signal?.aborted) return { status: 'aborted', completed };
          for (const id of await ids('completed')) {
            if (!pending.has(hashOf(id))) continue;
            const job = await queue.getJob(id);
            if (!job?.returnvalue) continue;
            pending.delete(hashOf(id));
            const { result, worker } = decodeJobResult(job.returnvalue);
            completed++;
            onResult(result, worker);
          }
          for (const id of await ids('failed')) {
            if (!pending.has(hashOf(id))) continue;
            const failed = await queue.getJob(id);
            if (!failed) continue;
            throw operationalError('SWEEP_JOB_FAILED', `configuration #${failed.data.index} (${failed.data.hash}) failed on worker ${failed.processedBy ?? '?'}: ${failed.failedReason}`, {
              hint: 'fix what the message says and rerun the same sweep command: finished configurations are kept, failed ones run again',
            });
          }
          if (pending.size > 0) await sleep(options.pollMs ?? 250, signal);
        }
        return { status: 'done', completed };
      },
      release(hashes) {
        for (const hash of hashes) remove(sweepJobId(sweep.sweepId, hash));
      },
      async close() {
        await Promise.all(removals);
        await queue.close();
      },
    };
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
