// The GBDT trainer's ONNX tree ensembles run on the forest kernel: same probabilities as onnxruntime on the same
// file (NaN cells and values exactly at thresholds included), for BRANCH_LT and BRANCH_LEQ, with node ids in any
// order; graphs the translation does not cover are left to onnxruntime, with the same answers.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxModel } from './OnnxModel.ts';
import { onnxTreesAsXgboost } from './onnxTreesAsXgboost.ts';
import { XgboostForest } from './XgboostForest.ts';
import { trainGbdt, type GbdtModel } from './train/index.ts';
import { gbdtGraph } from './train/gbdtGraph.ts';
import { encodeOnnx, type OnnxGraph } from './train/onnxModel.ts';
import { edgeRows } from './train/test/edgeRows.ts';
import { syntheticClasses } from './train/test/syntheticClasses.ts';

const WIDTH = 5;
const CLASSES = ['short', 'hold', 'long'] as const;
let model: GbdtModel;
let dir: string;

beforeAll(async () => {
  const { X, y } = syntheticClasses(4000, WIDTH, 7, 0.1);
  model = trainGbdt(X, y, 4000, WIDTH, { rounds: 15, maxDepth: 5, eta: 0.3 });
  dir = await mkdtemp(join(tmpdir(), 'xylen-onnx-trees-'));
});

/** Write the graph with a card (feature names, classes) in its metadata. */
async function save(name: string, graph: OnnxGraph): Promise<string> {
  const path = join(dir, name);
  const metadata = { features: JSON.stringify(Array.from({ length: WIDTH }, (_, f) => `f${f}`)), classes: JSON.stringify(CLASSES), id: name };
  await writeFile(path, encodeOnnx({ ...graph, metadata: { ...graph.metadata, ...metadata } }));
  return path;
}

/** Rows at the trees' own thresholds, NaN, or fresh values: every branch edge. */
function probeRows(rows: number, seed: number): Float32Array {
  const thresholds = Array.from({ length: WIDTH }, () => [] as number[]);
  for (const tree of model.trees) tree.feature.forEach((f, node) => f >= 0 && Number.isFinite(tree.threshold[node]!) && thresholds[f]!.push(tree.threshold[node]!));
  return edgeRows(thresholds, rows, seed);
}

async function onnxruntimeSays(path: string, X: Float32Array, rows: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path);
  const out = await session.run({ features: new ort.Tensor('float32', X, [rows, WIDTH]) });
  await session.release();
  return out['probabilities']!.data as Float32Array;
}

async function loadedSays(path: string, X: Float32Array, rows: number): Promise<Float64Array> {
  const runtime = await loadOnnxModel(path);
  try {
    return (await runtime.predict(X, rows)).probabilities;
  } finally {
    await runtime.close();
  }
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const treeNode = (graph: OnnxGraph) => graph.nodes[0]!.attributes as Record<string, unknown>;
/** The forest the kernel runs for the file (throws when the translation is not a valid model), or undefined. */
const translated = async (path: string) => {
  const json = onnxTreesAsXgboost(onnxProto.onnx.ModelProto.decode(await readFile(path)).graph, 'probabilities');
  return json && XgboostForest.fromJson(json, path);
};

describe('ONNX tree ensembles on the forest kernel', () => {
  it('give onnxruntime’s probabilities for the trainer’s graph, on small batches and on ones split across threads', async () => {
    const path = await save('lt.onnx', gbdtGraph(model));
    expect(await translated(path)).toBeDefined();
    for (const rows of [1, 37, 50_000]) {
      const X = probeRows(rows, rows);
      expect(maxDifference(await loadedSays(path, X, rows), await onnxruntimeSays(path, X, rows))).toBeLessThan(1e-5);
    }
  });

  it('BRANCH_LEQ splits send a value equal to the threshold the other way, as onnxruntime does', async () => {
    const graph = gbdtGraph(model);
    const attributes = treeNode(graph);
    const thresholds = (attributes['nodes_values'] as { floats: number[] }).floats;
    // (A "present vs missing" split, threshold +∞, stays BRANCH_LT: x ≤ +∞ has no `<` form, and such a graph is left to onnxruntime.)
    attributes['nodes_modes'] = (attributes['nodes_modes'] as string[]).map((m, k) => (m === 'BRANCH_LT' && Number.isFinite(thresholds[k]) ? 'BRANCH_LEQ' : m));
    const lt = await save('lt2.onnx', gbdtGraph(model));
    const leq = await save('leq.onnx', graph);
    expect(await translated(leq)).toBeDefined();
    const X = probeRows(4000, 3);
    const fromLeq = await loadedSays(leq, X, 4000);
    expect(maxDifference(fromLeq, await onnxruntimeSays(leq, X, 4000))).toBeLessThan(1e-5);
    expect(maxDifference(fromLeq, await loadedSays(lt, X, 4000))).toBeGreaterThan(1e-3); // the threshold rows differ
  });

  it('node ids in any order, and nodes after the root listed in any order, map to the same trees', async () => {
    const graph = gbdtGraph(model);
    const attributes = treeNode(graph);
    const relabel = (ids: number[]) => ids.map((id) => 1000 - 3 * id);
    for (const key of ['nodes_nodeids', 'nodes_truenodeids', 'nodes_falsenodeids', 'target_nodeids']) attributes[key] = relabel(attributes[key] as number[]);
    // …and, after each tree's root (onnxruntime, like us, takes a tree's first listed node as its root), listed last to first.
    const treeIds = attributes['nodes_treeids'] as number[];
    const order: number[] = [];
    for (let start = 0; start < treeIds.length; ) {
      let end = start;
      while (end < treeIds.length && treeIds[end] === treeIds[start]) end++;
      order.push(start, ...Array.from({ length: end - start - 1 }, (_, i) => end - 1 - i));
      start = end;
    }
    for (const key of ['nodes_treeids', 'nodes_nodeids', 'nodes_featureids', 'nodes_modes', 'nodes_truenodeids', 'nodes_falsenodeids', 'nodes_missing_value_tracks_true']) {
      const values = attributes[key] as unknown[];
      attributes[key] = order.map((i) => values[i]);
    }
    const values = (attributes['nodes_values'] as { floats: number[] }).floats;
    attributes['nodes_values'] = { floats: order.map((i) => values[i]!) };
    // Leaves' true/false ids were 0 (unused): relabelled they point nowhere, which must not matter.
    const path = await save('relabelled.onnx', graph);
    expect(await translated(path)).toBeDefined();
    const X = probeRows(3000, 4);
    expect(maxDifference(await loadedSays(path, X, 3000), await onnxruntimeSays(path, X, 3000))).toBeLessThan(1e-5);
  });

  it('leaves other graphs to onnxruntime, with the same answers', async () => {
    const graph = gbdtGraph(model);
    treeNode(graph)['nodes_modes'] = (treeNode(graph)['nodes_modes'] as string[]).map((m) => (m === 'BRANCH_LT' ? 'BRANCH_GTE' : m));
    const path = await save('gte.onnx', graph);
    expect(await translated(path)).toBeUndefined();
    const X = probeRows(2000, 5);
    expect(maxDifference(await loadedSays(path, X, 2000), await onnxruntimeSays(path, X, 2000))).toBeLessThan(1e-6);

    const infinite = gbdtGraph(model);
    const values = (treeNode(infinite)['nodes_values'] as { floats: number[] }).floats;
    expect(values).toContain(Infinity);
    treeNode(infinite)['nodes_modes'] = (treeNode(infinite)['nodes_modes'] as string[]).map((m) => (m === 'BRANCH_LT' ? 'BRANCH_LEQ' : m));
    expect(onnxTreesAsXgboost(onnxProto.onnx.ModelProto.decode(encodeOnnx(infinite)).graph, 'probabilities')).toBeUndefined();

    const transformed = gbdtGraph(model);
    treeNode(transformed)['post_transform'] = 'SOFTMAX';
    expect(onnxTreesAsXgboost(onnxProto.onnx.ModelProto.decode(encodeOnnx(transformed)).graph, 'probabilities')).toBeUndefined();
  });
});
