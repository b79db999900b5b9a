import type onnxProto from 'onnx-proto';

type Graph = onnxProto.onnx.IGraphProto;
type Node = onnxProto.onnx.INodeProto;

/**
 * An ONNX graph that is a tree ensemble and nothing else — one `ai.onnx.ml` TreeEnsembleRegressor (SUM, no post
 * transform, one target per tree) from the input to margins, then Softmax over the classes: what Xylen's GBDT
 * trainer saves — restated as the XGBoost `save_model` JSON of the same model (multi:softprob), so that it runs on the
 * WebAssembly forest kernel instead of onnxruntime's tree operator (several times slower on this kind of batch).
 *
 * The two agree on every float32 row: BRANCH_LT takes the true branch when x < threshold, XGBoost goes left when
 * x < split_condition, so true = left; `x ≤ t` on float32 values is `x < t⁺` with t⁺ the next float32 above t; a
 * missing value follows nodes_missing_value_tracks_true as default_left. Any other graph (other modes, a leaf that
 * feeds several targets, a post transform, opset-5 tensor attributes, extra nodes) gives `undefined`, and
 * onnxruntime runs the model as before.
 */
export function onnxTreesAsXgboost(graph: Graph | null | undefined, output: string): object | undefined {
  const nodes = graph?.node ?? [];
  const input = graph?.input?.length === 1 ? graph.input[0]!.name : undefined;
  if (nodes.length !== 2 || !input) return undefined;
  const [trees, softmax] = nodes as [Node, Node];
  if (trees.opType !== 'TreeEnsembleRegressor' || trees.domain !== 'ai.onnx.ml') return undefined;
  if (trees.input?.length !== 1 || trees.input[0] !== input || trees.output?.length !== 1) return undefined;
  if (softmax.opType !== 'Softmax' || (softmax.domain ?? '') !== '' || softmax.input?.[0] !== trees.output[0] || softmax.output?.[0] !== output) return undefined;
  const axis = attributes(softmax).get('axis');
  if (axis && ![1, -1].includes(Number(axis.i))) return undefined;

  const a = attributes(trees);
  const known = new Set([...INTS, ...FLOATS, 'nodes_modes', 'n_targets', 'aggregate_function', 'post_transform', 'nodes_hitrates']);
  if ([...a.keys()].some((name) => !known.has(name))) return undefined;
  if ((text(a.get('aggregate_function')) ?? 'SUM') !== 'SUM') return undefined;
  if ((text(a.get('post_transform')) ?? 'NONE') !== 'NONE') return undefined;
  const classes = Number(a.get('n_targets')?.i ?? 0);
  if (!(classes >= 2)) return undefined;
  const ints = (name: string) => (a.get(name)?.ints ?? []).map(Number);
  const floats = (name: string) => (a.get(name)?.floats ?? []).map(Number);
  const modes = (a.get('nodes_modes')?.strings ?? []).map((s) => new TextDecoder().decode(s));

  const treeIds = ints('nodes_treeids');
  const nodeIds = ints('nodes_nodeids');
  const size = treeIds.length;
  const [features, values, trueIds, falseIds] = [ints('nodes_featureids'), floats('nodes_values'), ints('nodes_truenodeids'), ints('nodes_falsenodeids')];
  const tracksTrue = a.has('nodes_missing_value_tracks_true') ? ints('nodes_missing_value_tracks_true') : new Array<number>(size).fill(0);
  if ([nodeIds, features, values, trueIds, falseIds, tracksTrue, modes].some((v) => v.length !== size)) return undefined;

  // Nodes by (tree, node id); ids need not be dense, so both get renumbered in the order listed. As in onnxruntime,
  // a tree's first listed node is its root, which is where XGBoost's JSON has it (index 0).
  const treeIndex = new Map<number, number>();
  const nodeIndex: Map<number, number>[] = [];
  const tree: { split: number[]; left: number[]; right: number[]; feature: number[]; value: number[]; defaultLeft: number[]; group: number }[] = [];
  for (let k = 0; k < size; k++) {
    let t = treeIndex.get(treeIds[k]!);
    if (t === undefined) {
      treeIndex.set(treeIds[k]!, (t = tree.length));
      nodeIndex.push(new Map());
      tree.push({ split: [], left: [], right: [], feature: [], value: [], defaultLeft: [], group: -1 });
    }
    if (nodeIndex[t]!.has(nodeIds[k]!)) return undefined;
    nodeIndex[t]!.set(nodeIds[k]!, tree[t]!.split.length);
    tree[t]!.split.push(k);
  }
  for (const [t, nodesOf] of tree.entries()) {
    for (const k of nodesOf.split) {
      const mode = modes[k];
      const leaf = mode === 'LEAF';
      if (!leaf && mode !== 'BRANCH_LT' && mode !== 'BRANCH_LEQ') return undefined;
      if (mode === 'BRANCH_LEQ' && values[k] === Infinity) return undefined; // x ≤ +∞ holds for x = +∞ too: no `<` says that
      const left = leaf ? -1 : nodeIndex[t]!.get(trueIds[k]!);
      const right = leaf ? -1 : nodeIndex[t]!.get(falseIds[k]!);
      if (left === undefined || right === undefined) return undefined;
      nodesOf.left.push(left);
      nodesOf.right.push(right);
      nodesOf.feature.push(leaf ? 0 : features[k]!);
      nodesOf.value.push(leaf ? NaN : mode === 'BRANCH_LEQ' ? nextFloat32Up(values[k]!) : values[k]!);
      nodesOf.defaultLeft.push(leaf ? 0 : tracksTrue[k] ? 1 : 0);
    }
  }

  // Each leaf gets exactly one weight, and every leaf of a tree feeds the same class.
  const targetTrees = ints('target_treeids');
  const targetNodes = ints('target_nodeids');
  const targetIds = ints('target_ids');
  const weights = floats('target_weights');
  if ([targetNodes, targetIds, weights].some((v) => v.length !== targetTrees.length)) return undefined;
  const weighted = tree.map((t) => new Array<boolean>(t.split.length).fill(false));
  for (let w = 0; w < targetTrees.length; w++) {
    const t = treeIndex.get(targetTrees[w]!);
    const node = t === undefined ? undefined : nodeIndex[t]!.get(targetNodes[w]!);
    if (t === undefined || node === undefined || tree[t]!.left[node] !== -1 || weighted[t]![node]) return undefined;
    const group = targetIds[w]!;
    if (!(group >= 0 && group < classes) || (tree[t]!.group !== -1 && tree[t]!.group !== group)) return undefined;
    tree[t]!.group = group;
    tree[t]!.value[node] = weights[w]!;
    weighted[t]![node] = true;
  }
  for (const [t, nodesOf] of tree.entries()) {
    for (let node = 0; node < nodesOf.left.length; node++) if (nodesOf.left[node] === -1 && !weighted[t]![node]) nodesOf.value[node] = 0;
    if (nodesOf.group === -1) nodesOf.group = 0; // a tree with no weights adds nothing to any class
  }
  const numFeature = widthOf(graph!);
  if (numFeature === undefined) return undefined;
  const base = floats('base_values');
  if (base.length !== 0 && base.length !== classes) return undefined;
  return {
    learner: {
      objective: { name: 'multi:softprob' },
      learner_model_param: { num_feature: String(numFeature), num_class: String(classes), base_score: JSON.stringify(base.length ? base : new Array(classes).fill(0)) },
      gradient_booster: {
        name: 'gbtree',
        model: {
          trees: tree.map((t) => ({
            left_children: t.left,
            right_children: t.right,
            split_indices: t.feature,
            split_conditions: t.value,
            default_left: t.defaultLeft,
          })),
          tree_info: tree.map((t) => t.group),
        },
      },
    },
  };
}

const INTS = ['nodes_treeids', 'nodes_nodeids', 'nodes_featureids', 'nodes_truenodeids', 'nodes_falsenodeids', 'nodes_missing_value_tracks_true', 'target_treeids', 'target_nodeids', 'target_ids'];
const FLOATS = ['nodes_values', 'target_weights', 'base_values'];

function attributes(node: Node): Map<string, onnxProto.onnx.IAttributeProto> {
  return new Map((node.attribute ?? []).map((attribute) => [attribute.name ?? '', attribute]));
}

function text(attribute: onnxProto.onnx.IAttributeProto | undefined): string | undefined {
  return attribute?.s ? new TextDecoder().decode(attribute.s) : undefined;
}

/** The input's fixed width, [N, width]. */
function widthOf(graph: Graph): number | undefined {
  const dims = graph.input?.[0]?.type?.tensorType?.shape?.dim;
  const width = dims?.length === 2 ? Number(dims[1]!.dimValue ?? NaN) : NaN;
  return Number.isInteger(width) && width > 0 ? width : undefined;
}

/** The smallest float32 above t (for t ≤ x on float32 x, as x < t⁺); ±∞ and NaN stay. */
function nextFloat32Up(t: number): number {
  const f = new Float32Array([t]);
  if (!Number.isFinite(f[0]!)) return f[0]!;
  if (f[0] === 0) return 2 ** -149;
  const bits = new Int32Array(f.buffer);
  bits[0]! += f[0]! > 0 ? 1 : -1;
  return f[0]!;
}
