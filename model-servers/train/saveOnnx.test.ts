// ONNX round trip: models saved by saveOnnx load in onnxruntime-node and give the trainer's in-memory
// probabilities within 1e-5, including NaN cells and values exactly at split thresholds (the BRANCH_LT edge).
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import { predictGbdt, predictLogreg, saveOnnx, trainGbdt, trainLogreg, type TrainedModelCard, type TrainedModel } from './index.ts';
import { edgeRows } from './test/edgeRows.ts';
import { syntheticClasses } from './test/syntheticClasses.ts';

const WIDTH = 5;

function cardFor(model: TrainedModel, classes: TrainedModelCard['classes']): TrainedModelCard {
  return {
    id: `test-${model.kind}`,
    version: 1,
    kind: model.kind,
    features: Array.from({ length: model.features }, (_, f) => `f${f}`),
    classes,
    createdAt: '2024-05-14T00:00:00.000Z',
    training: { from: 0, to: 1, rows: 2, metrics: { logLoss: 1, accuracy: 0.5 } },
    label: { kind: 'forward-return', horizon: 12, tp: 0.002, sl: 0.002 },
  };
}

async function runOnnx(path: string, X: Float32Array, rows: number, width: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path);
  expect(session.inputNames).toEqual(['features']);
  expect(session.outputNames).toEqual(['probabilities']);
  const out = await session.run({ features: new ort.Tensor('float32', X, [rows, width]) });
  await session.release();
  return out.probabilities!.data as Float32Array;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('saveOnnx', () => {
  it.each([
    ['multi-class', 3, ['short', 'hold', 'long']],
    ['binary', 2, ['hold', 'long']],
  ] as const)('writes a %s GBDT that onnxruntime predicts like the trainer, NaN and threshold values included', async (_, classes, names) => {
    const { X, y } = syntheticClasses(4000, WIDTH, 1, 0.15);
    // Feature 4 carries no signal but whether it is missing does: a split on "present vs missing" pays.
    for (let r = 0; r < 4000; r++) if (y[r] === 2 && r % 2 === 0) X[r * WIDTH + 4] = NaN;
    const labels = classes === 2 ? y.map((v) => (v === 2 ? 1 : 0)) : y;
    const model = trainGbdt(X, labels, 4000, WIDTH, { rounds: 20, maxDepth: 4, eta: 0.3 });
    expect(model.classes).toBe(classes);
    const thresholds = Array.from({ length: WIDTH }, () => [] as number[]);
    for (const tree of model.trees) tree.feature.forEach((f, node) => f >= 0 && thresholds[f]!.push(tree.threshold[node]!));
    expect(model.trees.some((tree) => tree.threshold.includes(Infinity))).toBe(true); // a "present vs missing" split exists
    const dir = await mkdtemp(join(tmpdir(), 'xylen-onnx-'));
    const card = cardFor(model, [...names]);
    const paths = await saveOnnx(model, join(dir, 'gbdt.onnx'), card);
    expect(paths.card).toBe(join(dir, 'gbdt.card.json'));
    expect(JSON.parse(await readFile(paths.card, 'utf8'))).toEqual(card);
    expect((await readdir(dir)).sort()).toEqual(['gbdt.card.json', 'gbdt.onnx']);
    const rows = 3000;
    const probe = edgeRows(thresholds, rows, 2);
    const fromOnnx = await runOnnx(paths.onnx, probe, rows, WIDTH);
    expect(maxDifference(fromOnnx, predictGbdt(model, probe, rows))).toBeLessThan(1e-5);
  });

  it('writes a logistic regression that onnxruntime predicts like the trainer', async () => {
    const { X, y } = syntheticClasses(3000, WIDTH, 3);
    for (let i = 0; i < X.length; i += WIDTH) X[i] = X[i]! * 1000 + 50_000; // a price-scale feature: standardisation matters
    const model = trainLogreg(X, y, 3000, WIDTH);
    const dir = await mkdtemp(join(tmpdir(), 'xylen-onnx-'));
    const paths = await saveOnnx(model, join(dir, 'logreg.onnx'), cardFor(model, ['short', 'hold', 'long']));
    const fromOnnx = await runOnnx(paths.onnx, X, 3000, WIDTH);
    expect(maxDifference(fromOnnx, predictLogreg(model, X, 3000))).toBeLessThan(1e-5);
  });

  it('refuses a card that does not describe the model, and a path not ending in .onnx, writing nothing', async () => {
    const { X, y } = syntheticClasses(500, WIDTH, 4);
    const model = trainGbdt(X, y, 500, WIDTH, { rounds: 2 });
    const dir = await mkdtemp(join(tmpdir(), 'xylen-onnx-'));
    const good = cardFor(model, ['short', 'hold', 'long']);
    const attempts: [string, TrainedModelCard][] = [
      ['a.onnx', { ...good, features: good.features.slice(1) }],
      ['a.onnx', { ...good, classes: ['short', 'long'] }],
      ['a.onnx', { ...good, kind: 'logreg' }],
      ['a.bin', good],
    ];
    for (const [name, card] of attempts) {
      const error = await saveOnnx(model, join(dir, name), card).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XylenError);
      expect((error as XylenError).exitCode).toBe(2);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
