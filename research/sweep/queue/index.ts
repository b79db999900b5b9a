// Sweeps on many machines: a BullMQ queue of configurations, and the worker that takes them.
export { queueRunner, DEFAULT_QUEUE_NAME } from './queueRunner.ts';
export type { QueueRunnerOptions } from './queueRunner.ts';
export { startQueueWorker } from './runQueueWorker.ts';
export type { QueueWorker, QueueWorkerOptions } from './runQueueWorker.ts';
export { parseQueueUrl, checkRedis, redactUrl } from './queueUrl.ts';
export { sweepJobId } from './sweepJob.ts';
export type { SweepJobData, SweepJobResult } from './sweepJob.ts';
