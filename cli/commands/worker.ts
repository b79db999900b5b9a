import type { Command } from 'commander';
import { DEFAULT_QUEUE_NAME } from '../../research/sweep/queue/sweepJob.ts';
import { resolveDbPath } from '../context.ts';
import { parseInteger } from '../flags.ts';

interface WorkerFlags {
  queue: string;
  queueName: string;
  lockMs: string;
  stalledMs: string;
  json?: boolean;
}

/** `xylen worker --queue redis://…`: replay sweep configurations from a BullMQ queue until stopped. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('take sweep configurations from a queue, replay them against this store (read-only) and send the results back')
    .requiredOption('--queue <url>', 'the Redis the sweep uses (redis://host:port/db)')
    .option('--queue-name <name>', 'BullMQ queue name (as given to `xylen sweep --queue-name`)', DEFAULT_QUEUE_NAME)
    .option('--lock-ms <ms>', 'job lock duration: a job whose worker dies goes to another after about this long', '30000')
    .option('--stalled-ms <ms>', 'how often to look for jobs whose worker died', '30000')
    .option('--json', 'log one JSON object per job instead of a line of text')
    .addHelpText(
      'after',
      `
Run any number of workers, on any machines that reach the Redis: each takes one configuration at a time (run
one per core). The store (--db) must hold the same candles as the sweep's: every job carries the data's checksum,
and a worker with other data fails the job, saying so. A worker that dies mid-job loses nothing: its job goes back
to the queue once its lock expires and another worker replays it; results are stored once per configuration.
Stop with Ctrl-C (or SIGTERM): the job in hand is finished first.

Example:
  xylen worker --queue redis://10.0.0.5:6379/0 --db /data/xylen.duckdb`,
    )
    .action(async (flags: WorkerFlags, command: Command) => {
      const dbPath = await resolveDbPath(command);
      // BullMQ and ioredis load only for this command (every other command starts faster without them).
      const { redactUrl, startQueueWorker } = await import('../../research/sweep/queue/index.ts');
      const log = (line: string, json: object) => process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${line}\n`);
      const worker = await startQueueWorker({
        url: flags.queue,
        queueName: flags.queueName,
        dbPath,
        lockDurationMs: parseInteger(flags.lockMs, '--lock-ms', { min: 100 }),
        stalledIntervalMs: parseInteger(flags.stalledMs, '--stalled-ms', { min: 100 }),
        onJob: ({ job, ok, elapsedMs, error }) =>
          log(
            `${ok ? 'done' : 'FAILED'} ${job.sweepId} #${job.index} (${job.hash}) in ${elapsedMs.toFixed(0)} ms${error ? `: ${error}` : ''}`,
            { sweepId: job.sweepId, index: job.index, hash: job.hash, ok, elapsedMs, ...(error ? { error } : {}) },
          ),
      });
      log(`worker ${worker.name} waiting for sweeps on ${redactUrl(flags.queue)} (queue "${flags.queueName}", store ${dbPath})`, { worker: worker.name, ready: true });
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await worker.close();
    });
}
