import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_MODELS } from '../../test/paths.ts';
import { loadModel, type ModelRuntime } from '../index.ts';
import { PredictionBatcher } from './PredictionBatcher.ts';

let runtime: ModelRuntime;
beforeAll(async () => {
  runtime = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
});
afterAll(() => runtime.close());

const value = fc.float({ min: -3, max: 3, noNaN: true });

describe('PredictionBatcher', () => {
  it('runs the first request at once and those that arrive meanwhile in one call, each answered exactly as the model alone answers it', async () => {
    const width = runtime.card.features.length;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.array(value, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }), async (requests) => {
        const batcher = new PredictionBatcher(runtime);
        const before = runtime.health().calls;
        const answers = await Promise.all(requests.map((rows) => batcher.predict(Float32Array.from(rows.flat()), rows.length)));
        expect(runtime.health().calls - before).toBe(Math.min(2, requests.length));
        for (const [i, rows] of requests.entries()) {
          const alone = await runtime.predict(Float32Array.from(rows.flat()), rows.length);
          expect(answers[i]!.probabilities).toEqual(alone.probabilities);
          expect(answers[i]!.action).toEqual(alone.action);
          expect(answers[i]!.confidence).toEqual(alone.confidence);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('a model call that fails rejects every request of its batch with that error; the next turn starts afresh', async () => {
    let fail = true;
    const flaky: ModelRuntime = { ...runtime, card: runtime.card, path: runtime.path, predict: (rows, n) => (fail ? Promise.reject(new Error('boom')) : runtime.predict(rows, n)), health: () => runtime.health(), close: () => undefined };
    const batcher = new PredictionBatcher(flaky);
    const row = new Float32Array(runtime.card.features.length).fill(0.5);
    const outcomes = await Promise.allSettled([batcher.predict(row, 1), batcher.predict(row, 1)]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))).toEqual(['boom', 'boom']);
    fail = false;
    expect((await batcher.predict(row, 1)).action).toHaveLength(1);
  });
});
