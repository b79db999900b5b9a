// In-process batched inference, the replay's fast path: a 100-tree depth-6 GBDT over 10 features as XGBoost JSON
// (evaluated natively), and the PyTorch MLP fixture through onnxruntime, each over 1M rows (issue target for the
// GBDT: ≥ 2,000,000 rows/s).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadModel, XgboostForest } from '../model-servers/index.ts';
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

async function rowsPerSecond(predict: (rows: Float32Array, n: number) => unknown, rows: Float32Array): Promise<{ best: number; median: number }> {
  await predict(rows.subarray(0, 10_000 * FEATURES), 10_000); // warm the JIT / the session
  const rates: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await predict(rows, ROWS);
    rates.push(ROWS / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { best: rates[rates.length - 1]!, median: rates[2]! };
}

const format = ({ best, median }: { best: number; median: number }) =>
  `${Math.round(median).toLocaleString('en-US')} rows/s median of 5 (best ${Math.round(best).toLocaleString('en-US')})`;

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
    console.log(`${what}, loadModel (worker threads on ${availableParallelism()} cores): ${format(await rowsPerSecond((x, n) => gbdt.predict(x, n), rows))}`);
    await gbdt.close();
    const mlp = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
    console.log(`ONNX MLP 10→32→32→3 (fixture), 1M rows in one onnxruntime call: ${format(await rowsPerSecond((x, n) => mlp.predict(x, n), rows))}`);
    await mlp.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
