// The entry of a retrain's worker thread (started by retrainInWorker): runs one RetrainJob and reports back.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { XylenError } from '../../engine/index.ts';
import { runRetrainJob, type RetrainJob } from './retrainJob.ts';

const port = parentPort!;
const job = workerData as RetrainJob;
let scored: ((probabilities: Float64Array | null) => void) | undefined;
port.on('message', (message: { type: 'scored'; probabilities: Float64Array | null }) => scored?.(message.probabilities));

try {
  const text = await readFile(job.samplesPath, 'utf8');
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const result = await runRetrainJob(job, lines, (test) => {
    port.postMessage({ type: 'test', X: test.X, y: test.y, rows: test.rows });
    return new Promise((done) => (scored = done));
  });
  port.postMessage({ type: 'done', result });
} catch (error) {
  const e = error as Error;
  port.postMessage({
    type: 'failed',
    error: error instanceof XylenError ? { kind: error.kind, code: error.code, message: error.message, hint: error.hint, where: error.where } : { kind: 'invariant', code: 'RETRAIN_FAILED', message: e.message ?? String(error) },
  });
}
port.close();
