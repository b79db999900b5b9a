import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { configSchema } from '../../config/index.ts';
import { modelFileName, promote, registerModel } from '../../model-servers/registry/index.ts';
import { saveOnnx, trainLogreg, type TrainedModelCard } from '../../model-servers/train/index.ts';
import { syntheticClasses } from '../../model-servers/train/test/syntheticClasses.ts';
import { resolveRegisteredModels } from './resolveRegisteredModels.ts';

let dir: string;
let store: Store;
const paths: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-resolve-'));
  store = await Store.open(join(dir, 'store.duckdb'));
  for (const version of [1, 2]) {
    const { X, y } = syntheticClasses(200, 3, version);
    const card: TrainedModelCard = {
      id: 'trend',
      version,
      kind: 'logreg',
      features: ['ret_1', 'rsi_14', 'bb_pctb_20'],
      classes: ['short', 'hold', 'long'],
      createdAt: `2024-05-0${version}T00:00:00.000Z`,
      training: { from: 1, to: 2, rows: 200, metrics: { logLoss: 1, accuracy: 0.4 } },
      label: { kind: 'forward-return', horizon: 12, tp: 0.002, sl: 0.002 },
    };
    const path = join(dir, modelFileName('trend', version));
    await saveOnnx(trainLogreg(X, y, 200, 3, { maxIterations: 20 }), path, card);
    await registerModel(store, card, path);
    paths.push(path);
  }
  await promote(store, 'trend', 1);
});
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('resolveRegisteredModels', () => {
  it('turns each registered reference into the file of that version, keeping the entry otherwise, and leaves files and rules alone', async () => {
    const models = [
      { name: 'pinned', kind: 'onnx', model: 'trend@2', weight: 2 },
      { name: 'champion', kind: 'onnx', model: 'trend' },
      { name: 'inproc', kind: 'http', endpoint: 'inproc:trend@1' },
      { name: 'file', kind: 'onnx', path: '/models/x.onnx' },
      { name: 'rsi', kind: 'rule', rule: 'rsi' },
    ];
    const resolved = (await resolveRegisteredModels(store, models)) as Record<string, unknown>[];
    expect(resolved).toEqual([
      { name: 'pinned', kind: 'onnx', path: paths[1], weight: 2 },
      { name: 'champion', kind: 'onnx', path: paths[0] },
      { name: 'inproc', kind: 'onnx', path: paths[0] },
      models[3],
      models[4],
    ]);
    // What comes out is a valid models list for the live config.
    expect(configSchema.safeParse({ models: resolved }).success).toBe(true);
  });

  it('names the unknown model or version', async () => {
    await expect(resolveRegisteredModels(store, [{ name: 'x', kind: 'onnx', model: 'trend@9' }])).rejects.toThrow(/no version 9/);
    await expect(resolveRegisteredModels(store, [{ name: 'x', kind: 'onnx', model: 'nope' }])).rejects.toThrow(/no model "nope"/);
  });
});
