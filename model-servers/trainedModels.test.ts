import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../engine/index.ts';
import { loadModel } from './index.ts';
import { predictGbdt, saveOnnx, trainGbdt, type TrainedModelCard } from './train/index.ts';

// The contract between the trainers (model-servers/train) and the runtimes: what saveOnnx writes, loadModel
// loads, with the trainer's card and the trainer's own predictions.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-trained-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('models saved by the TypeScript trainers', () => {
  it('load with their card and predict what the trainer predicts (within 1e-5), missing values included', async () => {
    const rows = 2000;
    const width = 4;
    const rng = new Rng(5);
    const X = Float32Array.from({ length: rows * width }, () => (rng.next() < 0.05 ? Number.NaN : rng.normal()));
    const y = Uint8Array.from({ length: rows }, (_, r) => (X[r * width]! > 0.3 ? 2 : X[r * width + 1]! < -0.3 ? 0 : 1));
    const model = trainGbdt(X, y, rows, width, { rounds: 10, maxDepth: 3, eta: 0.3 });
    const card: TrainedModelCard = {
      id: 'gbdt-contract',
      version: 2,
      parent: 1,
      kind: 'gbdt',
      features: ['ret_1', 'ret_12', 'rsi_14', 'volume_z_48'],
      classes: ['short', 'hold', 'long'],
      createdAt: '2024-05-14T00:00:00.000Z',
      training: { from: 0, to: 1, rows, metrics: { logLoss: 0.5, accuracy: 0.8 } },
      label: { kind: 'forward-return', horizon: 12, tp: 0.002, sl: 0.002 },
    };
    const { onnx } = await saveOnnx(model, join(dir, 'gbdt.onnx'), card);
    const runtime = await loadModel(onnx);
    try {
      expect(runtime.card).toEqual(card);
      const out = await runtime.predict(X, rows);
      const expected = predictGbdt(model, X, rows);
      let max = 0;
      for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(out.probabilities[i]! - expected[i]!));
      expect(max).toBeLessThan(1e-5);
    } finally {
      await runtime.close();
    }
  });
});
