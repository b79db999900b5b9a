import { invariantError } from '../engine/index.ts';
import { ForestWorkers, PARALLEL_MIN_ROWS } from './ForestWorkers.ts';
import type { ModelCard } from './ModelCard.ts';
import { checkInput, outputFromProbabilities, type ModelRuntime } from './ModelRuntime.ts';
import type { XgboostForest } from './XgboostForest.ts';

/**
 * A forest (XGBoost JSON, or an ONNX tree ensemble restated as one) behind the ModelRuntime interface: small batches
 * on the calling thread, large ones split across worker threads that share the compiled kernel.
 */
export function forestRuntime(forest: XgboostForest, card: ModelCard, path: string): ModelRuntime {
  let calls = 0;
  let rows = 0;
  let closed = false;
  // Created on the first large batch, so that small models and single snapshots never start threads.
  let workers: ForestWorkers | undefined | null = null;
  const predictInParallel = async (input: Float32Array, n: number, pool: ForestWorkers) =>
    outputFromProbabilities(forest.probabilities(await pool.margins(input, n), n), n, card.classes);
  return {
    card,
    path,
    predict(input: Float32Array, n: number) {
      checkInput(card, input, n);
      if (closed) throw invariantError('MODEL_CLOSED', `model "${card.id}" was closed; load it again to predict`, { where: path });
      calls++;
      rows += n;
      if (n >= PARALLEL_MIN_ROWS) {
        workers ??= ForestWorkers.create(forest.program);
        if (workers) return predictInParallel(input, n, workers);
      }
      return outputFromProbabilities(forest.predictProbabilities(input, n), n, card.classes);
    },
    health: () => ({ status: closed ? 'closed' : 'ok', id: card.id, version: card.version, kind: card.kind, path, calls, rows }),
    async close() {
      closed = true;
      await workers?.close();
    },
  };
}
