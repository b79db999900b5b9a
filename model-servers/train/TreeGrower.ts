import type { Tree } from './GbdtModel.ts';
import { MISSING_BIN, type QuantileBins } from './QuantileBins.ts';

export interface TreeParams {
  maxDepth: number;
  /** Learning rate: every leaf value is scaled by it. */
  eta: number;
  /** L2 penalty on leaf values (XGBoost's lambda). */
  lambda: number;
  /** Least hessian sum a child may have (XGBoost's min_child_weight). */
  minChildWeight: number;
}

/** Rows of one leaf (a view into the grower's buffer, valid until the next `grow`) and the value it adds. */
export interface GrownLeaf {
  readonly rows: Uint32Array;
  readonly value: number;
}

/** Histogram slots per feature: 256 bins × (gradient sum, hessian sum). */
const SLOTS = 512;
/** A split must lower the loss by more than this (XGBoost's kRtEps), so rounding noise never splits. */
const MIN_GAIN = 1e-6;

interface OpenNode {
  id: number;
  begin: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  hist: Float64Array | undefined;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
  GL: number;
  HL: number;
}

/**
 * Grows regression trees depth-wise on binned data, XGBoost's exact second-order gain on gradient/hessian
 * histograms. The rows of each open node stay contiguous (and ascending) in one index buffer; a child's
 * histogram is built from the smaller child's rows only and the larger one's is the parent's minus it.
 * Missing cells (MISSING_BIN) go to whichever side gains more, learned per split; when a node has none, unseen
 * missing values follow the heavier child.
 */
export class TreeGrower {
  private readonly index: Uint32Array;
  private readonly scratch: Uint32Array;
  private readonly valueBins: Int32Array;
  private readonly histPool: Float64Array[] = [];
  private readonly goesLeft = new Uint8Array(256);

  constructor(
    private readonly data: QuantileBins,
    private readonly params: TreeParams,
  ) {
    this.index = new Uint32Array(data.rows);
    this.scratch = new Uint32Array(data.rows);
    this.valueBins = Int32Array.from(data.cuts, (c) => c.length + 1);
  }

  /** One tree for class `target` fitted to rows sample[0 … count) with per-row gradients and hessians. */
  grow(grad: Float64Array, hess: Float64Array, sample: Uint32Array, count: number, target: number): { tree: Tree; leaves: GrownLeaf[] } {
    const { lambda, eta } = this.params;
    const index = this.index;
    index.set(sample.subarray(0, count));
    const feature: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const defaultLeft: number[] = [];
    const value: number[] = [];
    const newNode = (): number => {
      feature.push(-1);
      threshold.push(0);
      left.push(0);
      right.push(0);
      defaultLeft.push(0);
      value.push(0);
      return feature.length - 1;
    };
    let G = 0;
    let H = 0;
    for (let i = 0; i < count; i++) {
      G += grad[index[i]!]!;
      H += hess[index[i]!]!;
    }
    const root: OpenNode = { id: newNode(), begin: 0, end: count, depth: 0, G, H, hist: undefined };
    if (this.splittable(root)) this.build((root.hist = this.take()), grad, hess, 0, count);
    const leaves: GrownLeaf[] = [];
    const queue = [root];
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q]!;
      const split = node.hist && this.bestSplit(node.hist, node.G, node.H);
      if (!split) {
        if (node.hist) this.histPool.push(node.hist);
        value[node.id] = Math.fround((-node.G / (node.H + lambda)) * eta);
        leaves.push({ rows: index.subarray(node.begin, node.end), value: value[node.id]! });
        continue;
      }
      const cuts = this.data.cuts[split.feature]!;
      feature[node.id] = split.feature;
      threshold[node.id] = split.bin < cuts.length ? cuts[split.bin]! : Infinity;
      defaultLeft[node.id] = split.defaultLeft ? 1 : 0;
      const mid = this.partition(node.begin, node.end, split);
      const l: OpenNode = { id: newNode(), begin: node.begin, end: mid, depth: node.depth + 1, G: split.GL, H: split.HL, hist: undefined };
      const r: OpenNode = { id: newNode(), begin: mid, end: node.end, depth: node.depth + 1, G: node.G - split.GL, H: node.H - split.HL, hist: undefined };
      left[node.id] = l.id;
      right[node.id] = r.id;
      this.childHistograms(node.hist!, l, r, grad, hess);
      queue.push(l, r);
    }
    const tree: Tree = {
      target,
      feature: Int32Array.from(feature),
      threshold: Float32Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      defaultLeft: Uint8Array.from(defaultLeft),
      value: Float32Array.from(value),
    };
    return { tree, leaves };
  }

  private splittable(node: OpenNode): boolean {
    return node.depth < this.params.maxDepth && node.end - node.begin >= 2 && node.H >= 2 * this.params.minChildWeight;
  }

  /** Gives the children that may split their histograms: the smaller one built, the larger one by subtraction. */
  private childHistograms(parent: Float64Array, l: OpenNode, r: OpenNode, grad: Float64Array, hess: Float64Array): void {
    const [small, large] = l.end - l.begin <= r.end - r.begin ? [l, r] : [r, l];
    const needSmall = this.splittable(small);
    if (!this.splittable(large)) {
      if (needSmall) this.build((small.hist = parent), grad, hess, small.begin, small.end);
      else this.histPool.push(parent);
      return;
    }
    const built = this.take();
    this.build(built, grad, hess, small.begin, small.end);
    for (let j = 0; j < parent.length; j++) parent[j]! -= built[j]!;
    large.hist = parent;
    if (needSmall) small.hist = built;
    else this.histPool.push(built);
  }

  private take(): Float64Array {
    return this.histPool.pop() ?? new Float64Array(this.data.width * SLOTS);
  }

  private build(hist: Float64Array, grad: Float64Array, hess: Float64Array, begin: number, end: number): void {
    hist.fill(0);
    const { bins, width } = this.data;
    const index = this.index;
    const span = width * SLOTS;
    for (let i = begin; i < end; i++) {
      const row = index[i]!;
      const g = grad[row]!;
      const h = hess[row]!;
      let o = row * width;
      for (let s = 0; s < span; s += SLOTS) {
        const slot = s + (bins[o++]! << 1);
        hist[slot]! += g;
        hist[slot + 1]! += h;
      }
    }
  }

  /**
   * The split with the largest gain: for each feature and bin b, "bin ≤ b" left, with missing cells right and
   * (if the node has any) left; plus "every present value left, missing right" when missing cells exist.
   */
  private bestSplit(hist: Float64Array, G: number, H: number): Split | undefined {
    const { lambda, minChildWeight } = this.params;
    const parentScore = (G * G) / (H + lambda);
    let best: Split | undefined;
    let bestGain = MIN_GAIN;
    const consider = (feature: number, bin: number, GL: number, HL: number, defaultLeft: boolean): void => {
      const HR = H - HL;
      if (HL < minChildWeight || HR < minChildWeight) return;
      const GR = G - GL;
      const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        best = { gain, feature, bin, defaultLeft, GL, HL };
      }
    };
    for (let f = 0; f < this.data.width; f++) {
      const base = f * SLOTS;
      const Gm = hist[base + 2 * MISSING_BIN]!;
      const Hm = hist[base + 2 * MISSING_BIN + 1]!;
      const last = this.valueBins[f]! - 1;
      let GL = 0;
      let HL = 0;
      for (let b = 0; b < last; b++) {
        GL += hist[base + 2 * b]!;
        HL += hist[base + 2 * b + 1]!;
        if (Hm > 0) {
          consider(f, b, GL, HL, false);
          consider(f, b, GL + Gm, HL + Hm, true);
        } else {
          consider(f, b, GL, HL, HL >= H - HL);
        }
      }
      if (Hm > 0) consider(f, last, G - Gm, H - Hm, false);
    }
    return best;
  }

  /** Stable partition of index[begin … end) by the split; returns where the right child starts. */
  private partition(begin: number, end: number, split: Split): number {
    const { columns, rows } = this.data;
    const index = this.index;
    const scratch = this.scratch;
    const column = columns.subarray(split.feature * rows, (split.feature + 1) * rows);
    // A lookup table and unconditional writes instead of a branch per row: the side is a coin flip the CPU cannot predict.
    const goesLeft = this.goesLeft;
    goesLeft.fill(0, split.bin + 1);
    goesLeft.fill(1, 0, split.bin + 1);
    goesLeft[MISSING_BIN] = split.defaultLeft ? 1 : 0;
    let nl = begin;
    let nr = 0;
    for (let i = begin; i < end; i++) {
      const row = index[i]!;
      const left = goesLeft[column[row]!]!;
      index[nl] = row;
      scratch[nr] = row;
      nl += left;
      nr += left ^ 1;
    }
    index.set(scratch.subarray(0, nr), nl);
    return nl;
  }
}
