import { inputError } from '../engine/index.ts';
import { ForestProgram, type ForestArrays, type ForestRunner } from './ForestProgram.ts';

/** The objectives whose outputs are class probabilities. */
export const XGBOOST_OBJECTIVES = ['multi:softprob', 'multi:softmax', 'binary:logistic'] as const;
type Objective = (typeof XGBOOST_OBJECTIVES)[number];

/** Deeper trees would make the padded layout below too large (2^depth nodes per tree). */
export const MAX_TREE_DEPTH = 12;

/** Rows a batch on the calling thread goes through the kernel at a time (≈ 400 KB of arena for 10 features). */
const CALLING_THREAD_ROWS = 8_192;

/** An XGBoost gbtree model (the `save_model` JSON of XGBoost ≥ 1.0), evaluated natively over typed arrays. */
export class XgboostForest {
  private runner: ForestRunner | undefined;

  private constructor(
    readonly objective: Objective,
    /** The padded trees (see ForestArrays), compiled to `program`. */
    readonly arrays: ForestArrays,
    /** Feature names saved with the model (learner.feature_names), if any. */
    readonly featureNames: readonly string[] | undefined,
    readonly program: ForestProgram,
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
    const arrays = { trees: parsed.length, depth, numFeature, groups, baseMargin, treeGroup, feature, threshold, missingRight, leaf };
    return new XgboostForest(objective as Objective, arrays, featureNames, ForestProgram.compile(arrays));
  }

  /** Class probabilities for n rows of numFeature values (row-major), on the calling thread: n × 2 for binary (p0, p1), n × num_class otherwise. */
  predictProbabilities(rows: Float32Array, n: number): Float64Array {
    this.runner ??= this.program.runner(CALLING_THREAD_ROWS);
    return this.probabilities(this.runner.marginsOf(rows, n), n);
  }

  /** Class probabilities from the margins of n rows (the program's output). */
  probabilities(margins: Float64Array, n: number): Float64Array {
    return this.groups === 1 ? sigmoidPairs(margins, n) : softmaxRows(margins, n, this.groups);
  }
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
