import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_MODELS } from '../../test/paths.ts';
import { loadModel } from '../index.ts';
import { PredictionBatcher } from './PredictionBatcher.ts';
import { ServedModel } from './ServedModel.ts';

describe('ServedModel', () => {
  it('a swap serves the new model from the next call; calls under way finish on the old one, which closes after them, and each answer names its model', async () => {
    const path = join(SHARED_MODELS, 'torch_mlp.onnx');
    const v1 = await loadModel(path, { card: { version: 1 } });
    const v2 = await loadModel(path, { card: { version: 2 } });
    const served = new ServedModel(v1);
    const batcher = new PredictionBatcher(served);
    const row = new Float32Array(v1.card.features.length).fill(0.25);
    const before = [served.predict(row, 1), batcher.predict(row, 1), batcher.predict(row, 1)] as Promise<{ model?: { version: number | string } }>[];
    const swapped = served.swap(v2);
    expect(served.card.version).toBe(2);
    expect(v1.health().status).toBe('ok'); // still answering the calls under way
    const after = await served.predict(row, 1);
    // The third was asked before the swap but waited for the batcher's next call, which ran on v2: it says so.
    expect((await Promise.all(before)).map((o) => o.model?.version)).toEqual([1, 1, 2]);
    await swapped;
    expect(v1.health().status).toBe('closed');
    expect(after.model).toEqual({ id: 'torch_mlp', version: 2 });
    expect(served.swapCount).toBe(1);
    await served.close();
    expect(v2.health().status).toBe('closed');
  });
});
