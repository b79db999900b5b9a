import type { GbdtModel } from './GbdtModel.ts';
import type { OnnxGraph } from './onnxModel.ts';

/**
 * The ensemble as ai.onnx.ml TreeEnsembleRegressor (one target per class, raw margins, base values = the
 * base margins) followed by Softmax. Each in-memory node keeps its index as the ONNX node id; branches are
 * BRANCH_LT with nodes_missing_value_tracks_true = defaultLeft, the convention of `Tree`, so onnxruntime takes
 * the same path for every float32 row, NaN included. A split on "value present" has threshold +∞.
 */
export function gbdtGraph(model: GbdtModel): OnnxGraph {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTracksTrue: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetIds: number[] = [];
  const targetWeights: number[] = [];
  model.trees.forEach((tree, t) => {
    for (let node = 0; node < tree.feature.length; node++) {
      const leaf = tree.feature[node]! < 0;
      treeIds.push(t);
      nodeIds.push(node);
      featureIds.push(leaf ? 0 : tree.feature[node]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
      values.push(leaf ? 0 : tree.threshold[node]!);
      trueIds.push(leaf ? 0 : tree.left[node]!);
      falseIds.push(leaf ? 0 : tree.right[node]!);
      missingTracksTrue.push(leaf ? 0 : tree.defaultLeft[node]!);
      if (!leaf) continue;
      targetTreeIds.push(t);
      targetNodeIds.push(node);
      targetIds.push(tree.target);
      targetWeights.push(tree.value[node]!);
    }
  });
  return {
    name: 'xylen_gbdt',
    inputWidth: model.features,
    outputWidth: model.classes,
    nodes: [
      {
        op: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        inputs: ['features'],
        outputs: ['margins'],
        attributes: {
          n_targets: model.classes,
          aggregate_function: 'SUM',
          post_transform: 'NONE',
          base_values: { floats: Array.from(model.baseMargin) },
          nodes_treeids: treeIds,
          nodes_nodeids: nodeIds,
          nodes_featureids: featureIds,
          nodes_modes: modes,
          nodes_values: { floats: values },
          nodes_truenodeids: trueIds,
          nodes_falsenodeids: falseIds,
          nodes_missing_value_tracks_true: missingTracksTrue,
          target_treeids: targetTreeIds,
          target_nodeids: targetNodeIds,
          target_ids: targetIds,
          target_weights: { floats: targetWeights },
        },
      },
      { op: 'Softmax', inputs: ['margins'], outputs: ['probabilities'], attributes: { axis: 1 } },
    ],
  };
}
