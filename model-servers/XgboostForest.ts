import { inputError } from '../engine/index.ts';

/** The objectives whose outputs are class probabilities. */
export const XGBOOST_OBJECTIVES = ['multi:softprob', 'multi:softmax', 'binary:logistic'] as const;
type Objective = (typeof XGBOOST_OBJECTIVES)[number];

/** Deeper trees would make the padded layout below too large (2^depth nodes per tree). */
export const MAX_TREE_DEPTH = 12;

/**
 * The evaluated form of a forest, plain typed arrays (so that worker threads can hold a copy). Every tree is padded
 * to a perfect binary tree of the deepest tree's depth D, stored in heap order: internal node i has children 2i+1
 * and 2i+2, and a row's path is D bits (right = 1), so the leaf index is computed without per-node leaf tests or
 * branches. A leaf above depth D becomes a subtree whose splits all lead to copies of its value.
 */
export interface ForestArrays {
  trees: number;
  depth: number;
  numFeature: number;
  /** Output groups: num_class for multi-class, 1 for binary. */
  groups: number;
  /** Per tree: the output group it adds to (tree_info). */
  treeGroup: Int32Array;
  /** Per padded internal node (trees × (2^D − 1)): split feature and threshold (a float32 value). */
  feature: Int32Array;
  threshold: Float64Array;
  /** Per padded leaf (trees × 2^D). */
  leaf: Float64Array;
}

/** An XGBoost gbtree model (the `save_model` JSON of XGBoost ≥ 1.0), evaluated natively over typed arrays. */
export class XgboostForest {
  private constructor(
    readonly objective: Objective,
    readonly arrays: ForestArrays,
    /** Per group: the margin before any tree (base_score, in margin space). */
    private readonly baseMargin: Float64Array,
    /** Per padded internal node: a missing value goes right (XGBoost's default_left = 0). */
    private readonly missingRight: Uint8Array,
    /** Feature names saved with the model (learner.feature_names), if any. */
    readonly featureNames: readonly string[] | undefined,
  ) {}

  get numFeature(): number {
    return this.arrays.numFeature;
  }

  get groups(): number {
    return this.arrays.groups;
  }

  /** Parse a model's JSON text; `where` (the file) goes into every error. */
  static parse(text: string, where: string): XgboostForest {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw inputError('MODEL_FILE_CORRUPT', `not a valid XGBoost JSON model (truncated or corrupted?): ${(error as Error).message}`, {
        where,
        hint: 'save the model again with Booster.save_model("model.json")',
        cause: error,
      });
    }
    return XgboostForest.fromJson(json, where);
  }

  static fromJson(json: unknown, where: string): XgboostForest {
    const at = (path: string, message: string) =>
      inputError('MODEL_FILE_CORRUPT', `not an XGBoost JSON model: ${path} ${message}`, { where, hint: 'expected the output of Booster.save_model("model.json") (XGBoost ≥ 1.0)' });
    const learner = objectAt(json, 'learner', at);
    const objective = String(objectAt(learner, 'objective', at, 'learner.')['name']);
    if (!(XGBOOST_OBJECTIVES as readonly string[]).includes(objective)) {
      throw inputError('MODEL_OBJECTIVE_UNSUPPORTED', `XGBoost objective "${objective}" does not give class probabilities`, {
        where,
        hint: `supported objectives: ${XGBOOST_OBJECTIVES.join(', ')}`,
      });
    }
    const params = objectAt(learner, 'learner_model_param', at, 'learner.');
    const numFeature = Number(params['num_feature']);
    const numClass = Number(params['num_class'] ?? 0);
    if (!Number.isInteger(numFeature) || numFeature < 1) throw at('learner.learner_model_param.num_feature', `is ${String(params['num_feature'])}`);
    const groups = objective === 'binary:logistic' ? 1 : numClass;
    if (groups !== 1 && !(Number.isInteger(groups) && groups >= 2)) throw at('learner.learner_model_param.num_class', `is ${String(params['num_class'])}`);
    const baseMargin = baseMargins(String(params['base_score'] ?? '0.5'), groups, objective as Objective, at);

    const booster = objectAt(learner, 'gradient_booster', at, 'learner.');
    if (booster['name'] !== 'gbtree') {
      throw inputError('MODEL_BOOSTER_UNSUPPORTED', `XGBoost booster "${String(booster['name'])}" is not supported`, { where, hint: 'train with booster="gbtree"' });
    }
    const model = objectAt(booster, 'model', at, 'learner.gradient_booster.');
    const trees = model['trees'];
    const treeInfo = model['tree_info'];
    if (!Array.isArray(trees) || !Array.isArray(treeInfo) || treeInfo.length !== trees.length) throw at('learner.gradient_booster.model', 'has no trees/tree_info of equal length');

    const parsed = trees.map((tree, t) => readTree(tree, t, numFeature, at));
    const depth = Math.max(0, ...parsed.map((tree) => tree.depth));
    const internal = (1 << depth) - 1;
    const leaves = 1 << depth;
    const feature = new Int32Array(parsed.length * internal);
    const threshold = new Float64Array(parsed.length * internal).fill(Infinity);
    const missingRight = new Uint8Array(parsed.length * internal);
    const leaf = new Float64Array(parsed.length * leaves);
    const treeGroup = new Int32Array(parsed.length);
    parsed.forEach((tree, t) => {
      const group = Number(treeInfo[t]);
      if (!Number.isInteger(group) || group < 0 || group >= groups) throw at(`tree_info[${t}]`, `is ${String(treeInfo[t])}, outside 0..${groups - 1}`);
      treeGroup[t] = group;
      const place = (node: number, slot: number, level: number): void => {
        if (level === depth) {
          leaf[t * leaves + slot - internal] = tree.value[node]!;
          return;
        }
        const isLeaf = tree.left[node] === -1;
        if (!isLeaf) {
          feature[t * internal + slot] = tree.feature[node]!;
          threshold[t * internal + slot] = tree.value[node]!;
          missingRight[t * internal + slot] = tree.defaultLeft[node] ? 0 : 1;
        }
        // A leaf above the bottom keeps threshold +∞: both of its padded subtrees end in its value.
        place(isLeaf ? node : tree.left[node]!, 2 * slot + 1, level + 1);
        place(isLeaf ? node : tree.right[node]!, 2 * slot + 2, level + 1);
      };
      place(0, 0, 0);
    });
    const names = learner['feature_names'];
    const featureNames = Array.isArray(names) && names.length > 0 ? names.map(String) : undefined;
    const arrays = { trees: parsed.length, depth, numFeature, groups, treeGroup, feature, threshold, leaf };
    return new XgboostForest(objective as Objective, arrays, baseMargin, missingRight, featureNames);
  }

  /** Class probabilities for n rows of numFeature values (row-major): n × 2 for binary (p0, p1), n × num_class otherwise. */
  predictProbabilities(rows: Float32Array | Float64Array, n: number): Float64Array {
    const { x, margins } = this.start(rows, n);
    addTrees(this.arrays, x, 0, n, margins);
    return this.finish(x, n, margins);
  }

  /**
   * The first step of a prediction split across threads: the rows as float64 (faster loads; the values stay the
   * float32 ones) and the margins at their base, both on shared memory when asked. Then `addTrees` over row
   * ranges, then `finish`.
   */
  start(rows: Float32Array | Float64Array, n: number, shared = false): { x: Float64Array; margins: Float64Array } {
    const memory = (length: number) => (shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length));
    const x = memory(rows.length);
    x.set(rows);
    const margins = memory(n * this.groups);
    for (let i = 0; i < margins.length; i++) margins[i] = this.baseMargin[i % this.groups]!;
    return { x, margins };
  }

  /** Redo the rows with a missing value (the kernel ignores default_left), then turn margins into probabilities. */
  finish(x: Float64Array, n: number, margins: Float64Array): Float64Array {
    const f = this.numFeature;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < f; c++) {
        if (Number.isNaN(x[r * f + c]!)) {
          this.marginsWithMissing(x, r, margins);
          break;
        }
      }
    }
    return this.groups === 1 ? sigmoidPairs(margins, n) : softmaxRows(margins, n, this.groups);
  }

  /** Row r again, with missing values following each split's default direction. */
  private marginsWithMissing(x: Float64Array, r: number, out: Float64Array): void {
    const { trees, depth, groups, feature, threshold, leaf, treeGroup } = this.arrays;
    const internal = (1 << depth) - 1;
    const o = r * this.numFeature;
    out.set(this.baseMargin, r * groups);
    for (let t = 0; t < trees; t++) {
      let k = 0;
      for (let d = 0; d < depth; d++) {
        const node = t * internal + (1 << d) - 1 + k;
        const v = x[o + feature[node]!]!;
        k = (k << 1) + (Number.isNaN(v) ? this.missingRight[node]! : +(v >= threshold[node]!));
      }
      const cell = r * groups + treeGroup[t]!;
      out[cell] = out[cell]! + leaf[t * (1 << depth) + k]!;
    }
  }
}

/** Adds every tree's leaf to the margins of rows [r0, r1) of x (row-major, numFeature wide). */
export type ForestKernel = (m: ForestArrays, x: Float64Array, r0: number, r1: number, out: Float64Array) => void;

/** Rows that stay in cache while every tree passes over them (2048 × 10 float64 = 160 KB, about L2). */
const BLOCK_ROWS = 2048;
/** Rows walked down each tree together: their independent load chains overlap. */
const INTERLEAVE = 8;

/**
 * The source of the hot loop for trees of depth `depth`, generated so that the depth loop is unrolled and eight rows
 * walk each tree together; a function of (m, x, r0, r1, out) that worker threads compile from the same text. Rows go
 * in blocks that stay in cache while all trees pass over them; within a block, trees outer (a tree's nodes stay in
 * L1) and the root's split is read once per tree. `x >= threshold` is the right-hand bit (XGBoost goes left when
 * value < split_condition); a NaN goes left here, and `finish` redoes such rows. Against a loop over the depth with
 * four rows (the kernel before this one) it measured ≈1.6× the rows per second (bench/inferenceBench.ts).
 */
export function kernelSource(depth: number): string {
  const R = INTERLEAVE;
  const rows = Array.from({ length: R }, (_, i) => i);
  const lines = [
    `const { feature, threshold, leaf, treeGroup, groups, trees } = m;`,
    `const f = m.numFeature;`,
    `for (let block = r0; block < r1; block += ${BLOCK_ROWS}) {`,
    `  const end = Math.min(r1, block + ${BLOCK_ROWS});`,
    `  for (let t = 0; t < trees; t++) {`,
    `    const b = t * ${(1 << depth) - 1};`,
    `    const lb = t * ${1 << depth};`,
    `    const g = treeGroup[t];`,
    `    const f0 = feature[b];`,
    `    const t0 = threshold[b];`,
    `    let r = block;`,
    `    for (; r + ${R} <= end; r += ${R}) {`,
    ...rows.map((i) => `      const o${i} = (r + ${i}) * f;`),
    ...(depth === 0 ? rows.map((i) => `      const k${i} = 0;`) : rows.map((i) => `      let k${i} = +(x[o${i} + f0] >= t0);`)),
  ];
  for (let d = 1; d < depth; d++) {
    for (const i of rows) lines.push(`      { const n = b + ${(1 << d) - 1} + k${i}; k${i} = (k${i} << 1) + +(x[o${i} + feature[n]] >= threshold[n]); }`);
  }
  for (const i of rows) lines.push(`      out[(r + ${i}) * groups + g] += leaf[lb + k${i}];`);
  lines.push(
    `    }`,
    `    for (; r < end; r++) {`,
    `      const o = r * f;`,
    `      let k = 0;`,
    `      for (let d = 0; d < ${depth}; d++) {`,
    `        const n = b + (1 << d) - 1 + k;`,
    `        k = (k << 1) + +(x[o + feature[n]] >= threshold[n]);`,
    `      }`,
    `      out[r * groups + g] += leaf[lb + k];`,
    `    }`,
    `  }`,
    `}`,
  );
  return lines.join('\n');
}

const kernels = new Map<number, ForestKernel>();

/** The compiled hot loop for trees of `depth` (compiled once per depth per thread). */
export function kernelFor(depth: number): ForestKernel {
  let kernel = kernels.get(depth);
  if (!kernel) {
    // The text is generated from the depth alone (never from model data), so compiling it is safe.
    kernel = new Function('m', 'x', 'r0', 'r1', 'out', kernelSource(depth)) as ForestKernel;
    kernels.set(depth, kernel);
  }
  return kernel;
}

/** Adds every tree's leaf to the margins of rows [r0, r1). */
export function addTrees(m: ForestArrays, x: Float64Array, r0: number, r1: number, out: Float64Array): void {
  kernelFor(m.depth)(m, x, r0, r1, out);
}

interface Tree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  /** split_conditions: the threshold of a split, the value of a leaf (as float32). */
  value: Float64Array;
  defaultLeft: Uint8Array;
  depth: number;
}

type At = (path: string, message: string) => Error;

function objectAt(value: unknown, key: string, at: At, prefix = ''): Record<string, unknown> {
  const child = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof child !== 'object' || child === null || Array.isArray(child)) throw at(`${prefix}${key}`, 'is missing');
  return child as Record<string, unknown>;
}

function readTree(json: unknown, t: number, numFeature: number, at: At): Tree {
  const path = `learner.gradient_booster.model.trees[${t}]`;
  const tree = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const numbers = (key: string): number[] => {
    const v = tree[key];
    if (!Array.isArray(v)) throw at(`${path}.${key}`, 'is missing');
    return v as number[];
  };
  const left = Int32Array.from(numbers('left_children'));
  const size = left.length;
  const right = Int32Array.from(numbers('right_children'));
  const feature = Int32Array.from(numbers('split_indices'));
  const value = Float64Array.from(numbers('split_conditions'), (v) => Math.fround(v));
  const defaultLeft = Uint8Array.from(numbers('default_left'));
  if (size === 0 || [right, feature, value, defaultLeft].some((a) => a.length !== size)) throw at(path, 'has node arrays of different lengths');
  const splitType = tree['split_type'];
  if (Array.isArray(splitType) && splitType.some((s) => s !== 0)) {
    throw inputError('MODEL_SPLIT_UNSUPPORTED', `${path} has categorical splits, which are not supported`, { hint: 'train with numeric features only' });
  }
  // Depth by walking from the root; a child index out of range or a too-deep tree (also what a cycle looks like) is an error.
  let depth = 0;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (left[node] === -1) {
      depth = Math.max(depth, level);
      continue;
    }
    if (level >= MAX_TREE_DEPTH) {
      throw inputError('MODEL_TREE_TOO_DEEP', `${path} is deeper than ${MAX_TREE_DEPTH} levels`, { hint: `train with max_depth ≤ ${MAX_TREE_DEPTH}` });
    }
    const l = left[node]!;
    const r = right[node]!;
    if (!(l >= 0 && l < size && r >= 0 && r < size)) throw at(`${path}`, `node ${node} has children ${l}, ${r} outside the tree`);
    if (!(feature[node]! >= 0 && feature[node]! < numFeature)) throw at(`${path}`, `node ${node} splits on feature ${feature[node]}, but the model has ${numFeature}`);
    stack.push([l, level + 1], [r, level + 1]);
  }
  return { left, right, feature, value, defaultLeft, depth };
}

/** base_score is a probability for binary:logistic (its margin is the logit) and a raw margin for multi-class; XGBoost 3 may save one per class. */
function baseMargins(text: string, groups: number, objective: Objective, at: At): Float64Array {
  const values = (text.trimStart().startsWith('[') ? (JSON.parse(text) as unknown[]) : [text]).map(Number);
  if (values.some((v) => !Number.isFinite(v)) || (values.length !== 1 && values.length !== groups)) throw at('learner.learner_model_param.base_score', `is ${text}`);
  const margins = Float64Array.from({ length: groups }, (_, g) => values[values.length === 1 ? 0 : g]!);
  if (objective === 'binary:logistic') {
    const p = margins[0]!;
    if (!(p > 0 && p < 1)) throw at('learner.learner_model_param.base_score', `is ${text}, not a probability`);
    margins[0] = Math.log(p / (1 - p));
  }
  return margins;
}

function sigmoidPairs(margins: Float64Array, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let r = 0; r < n; r++) {
    const p = 1 / (1 + Math.exp(-margins[r]!));
    out[2 * r] = 1 - p;
    out[2 * r + 1] = p;
  }
  return out;
}

function softmaxRows(margins: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, margins[o + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[o + c] = Math.exp(margins[o + c]! - max);
    for (let c = 0; c < k; c++) out[o + c] = out[o + c]! / sum;
  }
  return out;
}
