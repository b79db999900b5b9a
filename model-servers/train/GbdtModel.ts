import { softmaxRows } from './metrics.ts';

/**
 * One regression tree, node 0 the root, as parallel arrays. Split convention (the same as ONNX's BRANCH_LT
 * with nodes_missing_value_tracks_true = defaultLeft): a row goes to `left` when x[feature] < threshold, to
 * `left` when x[feature] is NaN and defaultLeft is 1, to `right` otherwise. A leaf has feature −1 and adds
 * `value` to the margin of class `target`.
 */
export interface Tree {
  readonly target: number;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly value: Float32Array;
}

/**
 * A boosted ensemble: margin of class k = baseMargin[k] + Σ value of the leaves reached in the trees whose
 * target is k; probabilities = softmax(margins). A binary model grows trees for class 1 only and keeps
 * class 0's margin at its base, so softmax([0, m]) is the logistic function of m.
 */
export interface GbdtModel {
  readonly kind: 'gbdt';
  readonly features: number;
  readonly classes: number;
  readonly baseMargin: Float32Array;
  readonly trees: readonly Tree[];
  /** Rounds kept (the best validation round + 1 when early stopping ran) and rounds grown. */
  readonly rounds: number;
  readonly roundsGrown: number;
  /** Validation log-loss after each grown round (empty without a validation set). */
  readonly validLogLoss: readonly number[];
}

/** Index of the leaf that row `row` of X ([rows × width]) reaches. */
export function leafOf(tree: Tree, X: Float32Array, offset: number): number {
  let node = 0;
  for (let f = tree.feature[0]!; f >= 0; f = tree.feature[node]!) {
    const v = X[offset + f]!;
    const goLeft = v === v ? v < tree.threshold[node]! : tree.defaultLeft[node] === 1;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}

/** Adds the tree's leaf values to column `tree.target` of margins ([rows × classes]). */
export function addTree(tree: Tree, X: Float32Array, rows: number, width: number, margins: Float64Array, classes: number): void {
  for (let r = 0; r < rows; r++) margins[r * classes + tree.target]! += tree.value[leafOf(tree, X, r * width)]!;
}

/** Class probabilities [rows × classes] for X [rows × model.features]. */
export function predictGbdt(model: GbdtModel, X: Float32Array, rows: number): Float64Array {
  const margins = baseMargins(model, rows);
  for (const tree of model.trees) addTree(tree, X, rows, model.features, margins, model.classes);
  return softmaxRows(margins, rows, model.classes);
}

export function baseMargins(model: Pick<GbdtModel, 'baseMargin' | 'classes'>, rows: number): Float64Array {
  const margins = new Float64Array(rows * model.classes);
  for (let r = 0; r < rows; r++) margins.set(model.baseMargin, r * model.classes);
  return margins;
}
