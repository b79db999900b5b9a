// In-process batched inference, the replay's fast path: a 100-tree depth-6 GBDT over 10 features as XGBoost JSON
// (on the WebAssembly forest kernel), the same trees as an ONNX tree ensemble (onnxruntime's operator, and loadModel,
// which puts them on the kernel too), and the PyTorch MLP fixture through onnxruntime, each over 1M rows (issue
// target for the GBDT: ≥ 2,000,000 rows/s).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { loadModel, XgboostForest } from '../model-servers/index.ts';
import { encodeOnnx } from '../model-servers/train/onnxModel.ts';
import { gbdtGraph } from '../model-servers/train/gbdtGraph.ts';
import type { GbdtModel } from '../model-servers/train/index.ts';
import { SHARED_MODELS } from '../test/paths.ts';

const ROWS = 1_000_000;
const FEATURES = 10;
const TREES = 100;
const DEPTH = 6;

/** A seeded LCG so every run times the same model and rows. */
function uniform(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

interface JsonTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: number[];
}

/** The same trees as an ai.onnx.ml TreeEnsembleRegressor (the alternative to the native kernel: onnxruntime's). */
function treeEnsembleOnnx(trees: JsonTree[]): Uint8Array {
  const model: GbdtModel = {
    kind: 'gbdt',
    features: FEATURES,
    classes: 2,
    baseMargin: new Float32Array([0, 0]),
    rounds: trees.length,
    roundsGrown: trees.length,
    validLogLoss: [],
    trees: trees.map((t) => ({
      target: 1,
      feature: Int32Array.from(t.left_children, (l, i) => (l === -1 ? -1 : t.split_indices[i]!)),
      threshold: Float32Array.from(t.split_conditions),
      left: Int32Array.from(t.left_children),
      right: Int32Array.from(t.right_children),
      defaultLeft: Uint8Array.from(t.default_left),
      value: Float32Array.from(t.split_conditions),
    })),
  };
  const metadata = { features: JSON.stringify(Array.from({ length: FEATURES }, (_, i) => `f${i}`)), classes: JSON.stringify(['hold', 'long']) };
  return encodeOnnx({ ...gbdtGraph(model), metadata });
}

/** A binary:logistic XGBoost model of complete depth-6 trees in `save_model` JSON form. */
function gbdtJson(): string {
  const next = uniform(7);
  const trees = Array.from({ length: TREES }, (_, id) => {
    const nodes = 2 ** (DEPTH + 1) - 1;
    const internal = 2 ** DEPTH - 1;
    const node = (i: number) => i < internal;
    return {
      id,
      left_children: Array.from({ length: nodes }, (_, i) => (node(i) ? 2 * i + 1 : -1)),
      right_children: Array.from({ length: nodes }, (_, i) => (node(i) ? 2 * i + 2 : -1)),
      split_indices: Array.from({ length: nodes }, (_, i) => (node(i) ? Math.floor(next() * FEATURES) : 0)),
      split_conditions: Array.from({ length: nodes }, (_, i) => (node(i) ? next() * 3 - 1.5 : (next() - 0.5) * 0.2)),
      default_left: Array.from({ length: nodes }, () => Number(next() < 0.5)),
      split_type: Array.from({ length: nodes }, () => 0),
    };
  });
  return JSON.stringify({
    learner: {
      feature_names: Array.from({ length: FEATURES }, (_, i) => `f${i}`),
      objective: { name: 'binary:logistic' },
      learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: String(FEATURES) },
      gradient_booster: { name: 'gbtree', model: { tree_info: trees.map(() => 0), trees } },
    },
  });
}

interface Rates {
  best: number;
  median: number;
  /** Rows per second of CPU time used by the whole process (all its threads): what a busy machine cannot hide. */
  perCpuSecond: number;
}

async function rowsPerSecond(predict: (rows: Float32Array, n: number) => unknown, rows: Float32Array): Promise<Rates> {
  await predict(rows.subarray(0, 10_000 * FEATURES), 10_000); // warm the JIT / the session
  const rates: number[] = [];
  const perCpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await predict(rows, ROWS);
    rates.push(ROWS / ((performance.now() - start) / 1000));
    const used = process.cpuUsage(cpu);
    perCpu.push(ROWS / ((used.user + used.system) / 1e6));
  }
  rates.sort((a, b) => a - b);
  perCpu.sort((a, b) => a - b);
  return { best: rates[rates.length - 1]!, median: rates[2]!, perCpuSecond: perCpu[2]! };
}

const format = ({ best, median, perCpuSecond }: Rates) =>
  `${Math.round(median).toLocaleString('en-US')} rows/s median of 5 (best ${Math.round(best).toLocaleString('en-US')}); ${Math.round(perCpuSecond).toLocaleString('en-US')} rows per CPU-second`;

export async function run(): Promise<void> {
  const next = uniform(11);
  const rows = Float32Array.from({ length: ROWS * FEATURES }, () => next() * 4 - 2);
  const dir = await mkdtemp(join(tmpdir(), 'xylen-inference-bench-'));
  try {
    const path = join(dir, 'gbdt.json');
    await writeFile(path, gbdtJson());
    const gbdt = await loadModel(path);
    const forest = XgboostForest.parse(await readFile(path, 'utf8'), path);
    const what = `XGBoost JSON, ${TREES} trees depth ${DEPTH}, ${FEATURES} features, 1M rows`;
    console.log(`${what}, one thread: ${format(await rowsPerSecond((x, n) => forest.predictProbabilities(x, n), rows))}`);
    console.log(`${what}, loadModel (worker threads on ${availableParallelism()} cores): ${format(await rowsPerSecond((x, n) => gbdt.predict(x, n), rows))} (target ≥ 2,000,000)`);
    await gbdt.close();
    const trees = (JSON.parse(await readFile(path, 'utf8')) as { learner: { gradient_booster: { model: { trees: JsonTree[] } } } }).learner.gradient_booster.model.trees;
    const session = await ort.InferenceSession.create(treeEnsembleOnnx(trees), { intraOpNumThreads: availableParallelism() });
    const viaOrt = async (x: Float32Array, n: number) => session.run({ features: new ort.Tensor('float32', x, [n, FEATURES]) });
    console.log(`the same trees as an ONNX TreeEnsembleRegressor in onnxruntime (${availableParallelism()} intra-op threads), the alternative not taken: ${format(await rowsPerSecond(viaOrt, rows))}`);
    await session.release();
    const onnxPath = join(dir, 'gbdt.onnx');
    await writeFile(onnxPath, treeEnsembleOnnx(trees));
    const fromOnnx = await loadModel(onnxPath);
    console.log(`the same ONNX file through loadModel, which runs a plain tree ensemble on the forest kernel: ${format(await rowsPerSecond((x, n) => fromOnnx.predict(x, n), rows))}`);
    await fromOnnx.close();
    const mlp = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
    console.log(`ONNX MLP 10→32→32→3 (fixture), 1M rows in one onnxruntime call: ${format(await rowsPerSecond((x, n) => mlp.predict(x, n), rows))}`);
    await mlp.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
