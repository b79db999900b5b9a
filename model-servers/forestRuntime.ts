import { ForestWorkers, PARALLEL_MIN_ROWS } from './ForestWorkers.ts';
import type { ModelCard } from './ModelCard.ts';
import { meteredRuntime } from './meteredRuntime.ts';
import { outputFromProbabilities, type ModelRuntime } from './ModelRuntime.ts';
import type { XgboostForest } from './XgboostForest.ts';

/**
 * A forest (XGBoost JSON, or an ONNX tree ensemble restated as one) behind the ModelRuntime interface: small batches
 * on the calling thread, large ones split across worker threads that share the compiled kernel.
 */
export function forestRuntime(forest: XgboostForest, card: ModelCard, path: string): ModelRuntime {
  // Created on the first large batch, so that small models and single snapshots never start threads.
  let workers: ForestWorkers | undefined | null = null;
  const predictInParallel = async (input: Float32Array, n: number, pool: ForestWorkers) =>
    outputFromProbabilities(forest.probabilities(await pool.margins(input, n), n), n, card.classes);
  return meteredRuntime(card, path, {
    predict(input: Float32Array, n: number) {
      if (n >= PARALLEL_MIN_ROWS) {
        workers ??= ForestWorkers.create(forest.program);
        if (workers) return predictInParallel(input, n, workers);
      }
      return outputFromProbabilities(forest.predictProbabilities(input, n), n, card.classes);
    },
    close: async () => {
      await workers?.close();
    },
  });
}
