import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XylenError } from '../engine/index.ts';
import { XgboostForest } from './XgboostForest.ts';

// A naive reference straight from XGBoost's documented rules (saving_model tutorial): walk each tree's node arrays,
// go left when value < split_condition, follow default_left on a missing value, add the leaf's split_condition to
// the margin of group tree_info[t]; base_score is a probability for binary:logistic, a margin otherwise.
interface JsonTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: number[];
}

function referenceProbabilities(model: ReturnType<typeof xgboostJson>, row: number[]): number[] {
  const { objective, numClass, baseScore, trees, treeInfo } = model.spec;
  const groups = objective === 'binary:logistic' ? 1 : numClass;
  const margins = Array.from({ length: groups }, () => (objective === 'binary:logistic' ? Math.log(baseScore / (1 - baseScore)) : baseScore));
  trees.forEach((tree, t) => {
    let node = 0;
    while (tree.left_children[node] !== -1) {
      const v = Math.fround(row[tree.split_indices[node]!]!);
      const cond = Math.fround(tree.split_conditions[node]!);
      node = Number.isNaN(v) ? (tree.default_left[node] ? tree.left_children[node]! : tree.right_children[node]!) : v < cond ? tree.left_children[node]! : tree.right_children[node]!;
    }
    margins[treeInfo[t]!]! += Math.fround(tree.split_conditions[node]!);
  });
  if (groups === 1) {
    const p = 1 / (1 + Math.exp(-margins[0]!));
    return [1 - p, p];
  }
  const exp = margins.map((m) => Math.exp(m));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

const THRESHOLDS = [-1, -0.5, 0, 0.25, 1];

/** A random tree in XGBoost's array form: splits on thresholds that rows will also hit exactly (ties go right). */
function treeArb(features: number, maxDepth: number): fc.Arbitrary<JsonTree> {
  type Node = { leaf: number } | { feature: number; threshold: number; defaultLeft: boolean; left: Node; right: Node };
  const { node } = fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth },
      fc.record({ leaf: fc.float({ min: -1, max: 1, noNaN: true }) }),
      fc.record({ feature: fc.integer({ min: 0, max: features - 1 }), threshold: fc.constantFrom(...THRESHOLDS), defaultLeft: fc.boolean(), left: tie('node'), right: tie('node') }),
    ),
  }));
  return node.map((root) => {
    const tree: JsonTree = { left_children: [], right_children: [], split_indices: [], split_conditions: [], default_left: [] };
    const add = (n: Node): number => {
      const id = tree.left_children.length;
      tree.left_children.push(-1);
      tree.right_children.push(-1);
      tree.split_indices.push('leaf' in n ? 0 : n.feature);
      tree.split_conditions.push('leaf' in n ? n.leaf : n.threshold);
      tree.default_left.push('leaf' in n ? 0 : Number(n.defaultLeft));
      if (!('leaf' in n)) {
        tree.left_children[id] = add(n.left);
        tree.right_children[id] = add(n.right);
      }
      return id;
    };
    add(root);
    return tree;
  });
}

interface Spec {
  objective: 'binary:logistic' | 'multi:softprob';
  numClass: number;
  features: number;
  baseScore: number;
  trees: JsonTree[];
  treeInfo: number[];
}

function xgboostJson(spec: Spec) {
  return {
    spec,
    json: {
      learner: {
        feature_names: [],
        objective: { name: spec.objective },
        learner_model_param: { base_score: String(spec.baseScore), num_class: String(spec.objective === 'binary:logistic' ? 0 : spec.numClass), num_feature: String(spec.features) },
        gradient_booster: {
          name: 'gbtree',
          model: { tree_info: spec.treeInfo, trees: spec.trees.map((t, id) => ({ id, ...t, split_type: t.left_children.map(() => 0) })) },
        },
      },
    },
  };
}

const modelArb = fc
  .record({ binary: fc.boolean(), features: fc.integer({ min: 1, max: 5 }), baseScore: fc.double({ min: 0.1, max: 0.9, noNaN: true }) })
  .chain(({ binary, features, baseScore }) => {
    const numClass = binary ? 1 : 3;
    return fc.array(treeArb(features, 5), { minLength: 1, maxLength: 4 * numClass }).map((trees) =>
      xgboostJson({ objective: binary ? 'binary:logistic' : 'multi:softprob', numClass, features, baseScore, trees, treeInfo: trees.map((_, i) => i % numClass) }),
    );
  });

const cellArb = fc.oneof(fc.constantFrom(...THRESHOLDS, Number.NaN), fc.float({ min: -2, max: 2, noNaN: true }));

describe('XgboostForest', () => {
  it('property: agrees with the naive tree walk on random models, with missing values and values equal to thresholds', () => {
    fc.assert(
      fc.property(
        modelArb.chain((model) => fc.tuple(fc.constant(model), fc.array(fc.array(cellArb, { minLength: model.spec.features, maxLength: model.spec.features }), { minLength: 1, maxLength: 19 }))),
        ([model, rows]) => {
          const forest = XgboostForest.fromJson(model.json, 'random.json');
          const probabilities = forest.predictProbabilities(Float32Array.from(rows.flat()), rows.length);
          const k = forest.groups === 1 ? 2 : forest.groups;
          rows.forEach((row, r) => {
            const expected = referenceProbabilities(model, row);
            expected.forEach((p, c) => expect(Math.abs(probabilities[r * k + c]! - p)).toBeLessThan(1e-12));
          });
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('a model whose root is a leaf predicts its base margin plus the leaf for every row', () => {
    const { json } = xgboostJson({ objective: 'binary:logistic', numClass: 1, features: 2, baseScore: 0.5, trees: [{ left_children: [-1], right_children: [-1], split_indices: [0], split_conditions: [0.75], default_left: [0] }], treeInfo: [0] });
    const p = XgboostForest.fromJson(json, 'leaf.json').predictProbabilities(new Float32Array([1, 2, Number.NaN, 4]), 2);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-0.75)), 12);
    expect(p[3]).toBe(p[1]);
  });

  it('rejects trees that point outside themselves and splits on features the model does not have', () => {
    const tree = { left_children: [1, -1, -1], right_children: [2, -1, -1], split_indices: [0, 0, 0], split_conditions: [0, 1, 2], default_left: [0, 0, 0] };
    const spec = (t: JsonTree): Spec => ({ objective: 'binary:logistic', numClass: 1, features: 1, baseScore: 0.5, trees: [t], treeInfo: [0] });
    expect(() => XgboostForest.fromJson(xgboostJson(spec({ ...tree, right_children: [7, -1, -1] })).json, 'm.json')).toThrow(/children 1, 7 outside the tree/);
    expect(() => XgboostForest.fromJson(xgboostJson(spec({ ...tree, split_indices: [3, 0, 0] })).json, 'm.json')).toThrow(/feature 3, but the model has 1/);
    const error = (() => {
      try {
        XgboostForest.parse('{"learner": {"objective": {"name": "binary:logistic"}}}', 'm.json');
      } catch (e) {
        return e as XylenError;
      }
    })();
    expect(error?.code).toBe('MODEL_FILE_CORRUPT');
    expect(error?.message).toContain('learner.learner_model_param');
  });
});
