import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { XylenError, type ErrorKind } from '../../engine/index.ts';
import type { HeldOutRows, RetrainJob, RetrainResult } from './retrainJob.ts';

// The worker runs TypeScript sources, as the rest of Xylen does: tsx compiles them inside the worker, whichever way
// this process was started (bin/xylen.js, tsx, vitest).
// tsx's ESM build of its API (the CommonJS one cannot load the ESM half it needs inside an eval'd worker).
const TSX_API = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs')).href;
const ENTRY = new URL('./retrainWorker.ts', import.meta.url).href;

/**
 * Run a retrain in a worker thread, so that the server's event loop (and /predict) never waits on training. The
 * worker reads the samples and trains; `scoreParent` predicts its held-out rows with the serving model here (the
 * model lives in this thread). A failure in the worker comes back as the XylenError it threw.
 */
export function retrainInWorker(job: RetrainJob, scoreParent: (rows: HeldOutRows) => Promise<Float64Array | null>): Promise<RetrainResult> {
  const source = `import(${JSON.stringify(TSX_API)}).then((tsx) => tsx.tsImport(${JSON.stringify(ENTRY)}, ${JSON.stringify(import.meta.url)})).catch((error) => {
    require('node:worker_threads').parentPort.postMessage({ type: 'failed', error: { kind: 'invariant', code: 'RETRAIN_WORKER_START', message: String(error && error.stack || error) } });
  });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: job });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      void worker.terminate();
    };
    worker.on('message', (message: { type: string } & Record<string, unknown>) => {
      if (message['type'] === 'test') {
        const rows = message as unknown as HeldOutRows;
        scoreParent(rows).then(
          (probabilities) => worker.postMessage({ type: 'scored', probabilities }),
          () => worker.postMessage({ type: 'scored', probabilities: null }),
        );
      } else if (message['type'] === 'done') settle(() => resolve(message['result'] as RetrainResult));
      else if (message['type'] === 'failed') {
        const e = message['error'] as { kind: ErrorKind; code: string; message: string; hint?: string; where?: string };
        settle(() => reject(new XylenError(e.kind, e.code, e.message, { ...(e.hint ? { hint: e.hint } : {}), ...(e.where ? { where: e.where } : {}) })));
      }
    });
    worker.on('error', (error) => settle(() => reject(new XylenError('operational', 'RETRAIN_WORKER_FAILED', `the retrain worker failed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) => settle(() => reject(new XylenError('operational', 'RETRAIN_WORKER_FAILED', `the retrain worker exited (code ${code}) before it finished`))));
  });
}
