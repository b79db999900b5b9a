import { Rng } from '../../engine/index.ts';
import { addTree, baseMargins, leafOf, type GbdtModel, type Tree } from './GbdtModel.ts';
import { checkParam, checkTrainingData, type ClassLabels } from './checkTrainingData.ts';
import { logLoss, softmaxRows } from './metrics.ts';
import { MAX_VALUE_BINS, quantileBins } from './QuantileBins.ts';
import { TreeGrower } from './TreeGrower.ts';

/** Defaults are XGBoost's, so that a user comparing the two starts from the same settings. */
export interface GbdtParams {
  /** Boosting rounds (XGBoost's n_estimators); a multi-class model grows one tree per class per round. */
  rounds?: number;
  maxDepth?: number;
  eta?: number;
  lambda?: number;
  minChildWeight?: number;
  /** Share of rows each round samples (Bernoulli, seeded); 1 uses them all. */
  subsample?: number;
  seed?: number;
  /** Value bins per feature (≤ 255; one more bin holds missing values). */
  maxBins?: number;
  /** Number of classes; by default the largest label + 1. */
  classes?: number;
  /** Rows to watch for early stopping. */
  validation?: { X: Float32Array; y: ClassLabels; rows: number };
  /** Stop once the validation log-loss has not improved for this many rounds, and keep the best round. */
  earlyStoppingRounds?: number;
}

/** Hessians are kept above this so that a leaf of all-certain rows still has a finite value (as XGBoost). */
const MIN_HESSIAN = 1e-16;

/**
 * Gradient-boosted trees for class labels y (0 … classes − 1) from X ([rows × width], row-major, NaN =
 * missing): softmax cross-entropy with XGBoost's gradients (hessian 2p(1 − p) multi-class, p(1 − p) binary),
 * histogram splits on quantile bins, base margins at the (smoothed) class priors.
 */
export function trainGbdt(X: Float32Array, y: ClassLabels, rows: number, width: number, params: GbdtParams = {}): GbdtModel {
  const rounds = checkParam('rounds', params.rounds ?? 100, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const maxDepth = checkParam('maxDepth', params.maxDepth ?? 6, (v) => Number.isInteger(v) && v >= 1 && v <= 16, 'an integer in [1, 16]');
  const eta = checkParam('eta', params.eta ?? 0.3, (v) => v > 0 && v <= 1, 'in (0, 1]');
  const lambda = checkParam('lambda', params.lambda ?? 1, (v) => v >= 0 && v < Infinity, 'a finite number ≥ 0');
  const minChildWeight = checkParam('minChildWeight', params.minChildWeight ?? 1, (v) => v >= 0 && v < Infinity, 'a finite number ≥ 0');
  const subsample = checkParam('subsample', params.subsample ?? 1, (v) => v > 0 && v <= 1, 'in (0, 1]');
  const seed = checkParam('seed', params.seed ?? 0, Number.isSafeInteger, 'a safe integer');
  const maxBins = checkParam('maxBins', params.maxBins ?? MAX_VALUE_BINS, (v) => Number.isInteger(v) && v >= 2 && v <= MAX_VALUE_BINS, `an integer in [2, ${MAX_VALUE_BINS}]`);
  const patience = checkParam('earlyStoppingRounds', params.earlyStoppingRounds ?? 10, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const classes = checkTrainingData(X, y, rows, width, params.classes, 'training');
  const valid = params.validation;
  if (valid) checkTrainingData(valid.X, valid.y, valid.rows, width, classes, 'validation');

  const groups = classes === 2 ? 1 : classes;
  const targetOf = (k: number): number => (classes === 2 ? 1 : k);
  const baseMargin = priorMargins(y, rows, classes);
  const margins = baseMargins({ baseMargin, classes }, rows);
  const validMargins = valid && baseMargins({ baseMargin, classes }, valid.rows);
  const validProbabilities = valid && new Float64Array(valid.rows * classes);
  const grad = Array.from({ length: groups }, () => new Float64Array(rows));
  const hess = Array.from({ length: groups }, () => new Float64Array(rows));
  const grower = new TreeGrower(quantileBins(X, rows, width, maxBins), { maxDepth, eta, lambda, minChildWeight });
  const rng = new Rng(seed);
  const sample = new Uint32Array(rows);
  const sampled = new Uint8Array(rows);
  const delta = new Float64Array(rows);
  const trees: Tree[] = [];
  const validLogLoss: number[] = [];
  let best = Infinity;
  let bestRound = -1;
  let round = 0;
  for (; round < rounds; round++) {
    gradients(margins, y, rows, classes, grad, hess);
    let count = rows;
    if (subsample < 1) {
      count = 0;
      for (let r = 0; r < rows; r++) {
        sampled[r] = rng.next() < subsample ? 1 : 0;
        if (sampled[r]) sample[count++] = r;
      }
    } else {
      for (let r = 0; r < rows; r++) sample[r] = r;
    }
    for (let k = 0; k < groups; k++) {
      const target = targetOf(k);
      const { tree, leaves } = grower.grow(grad[k]!, hess[k]!, sample, count, target);
      // Each row's leaf value first, then one sequential pass over the margins: far fewer cache misses than
      // adding leaf by leaf into the wide margin array.
      for (const { rows: inLeaf, value } of leaves) for (let i = 0; i < inLeaf.length; i++) delta[inLeaf[i]!] = value;
      if (count < rows) for (let r = 0; r < rows; r++) if (!sampled[r]) delta[r] = tree.value[leafOf(tree, X, r * width)]!;
      for (let r = 0; r < rows; r++) margins[r * classes + target]! += delta[r]!;
      trees.push(tree);
      if (valid) addTree(tree, valid.X, valid.rows, width, validMargins!, classes);
    }
    if (!valid) continue;
    validProbabilities!.set(validMargins!);
    const loss = logLoss(softmaxRows(validProbabilities!, valid.rows, classes), valid.y, valid.rows, classes);
    validLogLoss.push(loss);
    if (loss < best) {
      best = loss;
      bestRound = round;
    } else if (round - bestRound >= patience) {
      round++;
      break;
    }
  }
  const kept = valid ? bestRound + 1 : round;
  return { kind: 'gbdt', features: width, classes, baseMargin, trees: trees.slice(0, kept * groups), rounds: kept, roundsGrown: round, validLogLoss };
}

/** Margins whose softmax is the class shares (add-one smoothed, so an absent class has a finite margin). */
function priorMargins(y: ClassLabels, rows: number, classes: number): Float32Array {
  const counts = new Float64Array(classes).fill(1);
  for (let r = 0; r < rows; r++) counts[y[r]!]!++;
  const margins = new Float32Array(classes);
  for (let k = 0; k < classes; k++) margins[k] = Math.log(counts[k]! / (classes === 2 ? counts[0]! : rows + classes));
  return margins;
}

function gradients(margins: Float64Array, y: ClassLabels, rows: number, classes: number, grad: Float64Array[], hess: Float64Array[]): void {
  const p = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, margins[o + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += p[k] = Math.exp(margins[o + k]! - max);
    if (classes === 2) {
      const p1 = p[1]! / sum;
      grad[0]![r] = p1 - (y[r] === 1 ? 1 : 0);
      hess[0]![r] = Math.max(p1 * (1 - p1), MIN_HESSIAN);
      continue;
    }
    for (let k = 0; k < classes; k++) {
      const pk = p[k]! / sum;
      grad[k]![r] = pk - (y[r] === k ? 1 : 0);
      hess[k]![r] = Math.max(2 * pk * (1 - pk), MIN_HESSIAN);
    }
  }
}
