import { parentPort, workerData } from 'node:worker_threads';
import { runSweepConfig, type SweepTask } from './runSweepConfig.ts';
import type { SweepDataset } from './SweepDataset.ts';
import { serializeError } from './serializeError.ts';

// A sweep's worker thread: the dataset arrives once, on shared memory; then one configuration per message.
const { dataset, periodMs } = workerData as { dataset: SweepDataset; periodMs: number };
const port = parentPort!;
port.on('message', (task: SweepTask) => {
  runSweepConfig(dataset, task, periodMs).then(
    (result) => port.postMessage({ type: 'result', result }, [result.returns.buffer as ArrayBuffer]),
    (error: unknown) => port.postMessage({ type: 'error', index: task.index, error: serializeError(error) }),
  );
});
port.postMessage({ type: 'ready' });
