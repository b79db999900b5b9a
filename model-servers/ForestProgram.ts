import { F32, I32, V128, WasmCode, wasmModule, WebAssemblyApi, type WasmMemory, type WasmModule } from './WasmCode.ts';

/**
 * A forest in the padded form XgboostForest.ts builds: every tree a perfect binary tree of depth D, in heap order
 * (internal node i has children 2i+1 and 2i+2), so that a row's path is D comparisons with no leaf tests.
 */
export interface ForestArrays {
  trees: number;
  depth: number;
  numFeature: number;
  /** Output groups: num_class for multi-class, 1 for binary. */
  groups: number;
  /** Per group: the margin before any tree. */
  baseMargin: Float64Array;
  /** Per tree: the output group it adds to (tree_info). */
  treeGroup: Int32Array;
  /** Per padded internal node (trees × (2^D − 1)): split feature, threshold (a float32 value; +∞ under a leaf) and whether a missing value goes right. */
  feature: Int32Array;
  threshold: Float64Array;
  missingRight: Uint8Array;
  /** Per padded leaf (trees × 2^D), float32 values. */
  leaf: Float64Array;
}

/** Rows walked down each tree together: four SIMD vectors of four rows. Their load chains overlap. */
const ROWS_PER_WALK = 16;
/** Bytes of rows per kernel call: the rows stay in L1 while every tree passes over them. */
const BLOCK_BYTES = 20_480;

/**
 * The forest compiled to WebAssembly at load time, with the model's data in an image that goes at address 0 of the
 * memory the module imports (shared, so that worker threads run the same instance code over the same rows).
 *
 * The module exports `work(x, out, n, counter)`: rows at byte address x (n × numFeature float32), margins to out
 * (n × groups float64, base margin plus every tree's leaf in tree order, so exactly the sum a plain walk makes).
 * Each thread that calls it takes blocks of rows by an atomic add on the i32 at `counter` until none are left, so
 * any number of threads share a batch and a slow one never holds the others up.
 *
 * Within a block, trees go outer and rows inner: a tree's nodes and the block's rows stay in L1. Sixteen rows walk a
 * tree together, four per SIMD vector: the node offsets are an i32x4, each level loads the four rows' values and
 * thresholds into lanes, compares with f32x4.ge (XGBoost compares float32; a row goes left when value < split)
 * and moves each lane to its child. The kernel sends a missing value (NaN) left; a last pass walks the rows with a
 * NaN again, following each split's default direction.
 *
 * Image layout, per tree (stride S): bytes 0–3 the group's byte offset in a row of margins; node j (1-based heap
 * order, j < 2^D) at 8j: the feature's byte offset in a row (i32) and the threshold (f32); leaf l at 8(2^D + l)
 * (f64), where node j's byte offset 8j lands after D steps of 8j → 16j + 8·right; the missing-right flag of node j
 * at byte 16·2^D + j.
 */
export class ForestProgram {
  private constructor(
    readonly module: WasmModule,
    /** The model's data, placed at address 0. */
    readonly image: Uint8Array,
    readonly numFeature: number,
    readonly groups: number,
    /** Rows per kernel call (the unit threads take). */
    readonly blockRows: number,
  ) {}

  static compile(forest: ForestArrays): ForestProgram {
    const R = ROWS_PER_WALK;
    const { trees, depth, numFeature, groups } = forest;
    const leaves = 1 << depth;
    const missing = 16 * leaves;
    const stride = roundUp(missing + leaves, 64);
    const image = new Uint8Array(trees * stride);
    const view = new DataView(image.buffer);
    for (let t = 0; t < trees; t++) {
      const base = t * stride;
      view.setInt32(base, forest.treeGroup[t]! * 8, true);
      for (let i = 0; i < leaves - 1; i++) {
        const node = t * (leaves - 1) + i;
        view.setInt32(base + 8 * (i + 1), forest.feature[node]! * 4, true);
        view.setFloat32(base + 8 * (i + 1) + 4, forest.threshold[node]!, true);
        image[base + missing + i + 1] = forest.missingRight[node]!;
      }
      for (let l = 0; l < leaves; l++) view.setFloat64(base + 8 * (leaves + l), forest.leaf[t * leaves + l]!, true);
    }
    const blockRows = Math.max(R, Math.floor(BLOCK_BYTES / (4 * numFeature) / R) * R);
    const bytes = wasmModule([
      { params: [I32, I32, I32, I32], locals: [[2, I32]], code: workCode(numFeature, groups, blockRows), export: 'work' },
      { params: [I32, I32, I32], ...kernelCode(forest, stride, R) },
    ]);
    return new ForestProgram(new WebAssemblyApi.Module(bytes), image, numFeature, groups, blockRows);
  }

  /** A memory with the model and room for `capacity` rows, and this thread's instance over it. */
  runner(capacity: number): ForestRunner {
    const arena = this.arena(capacity);
    const memory = new WebAssemblyApi.Memory({ initial: arena.pages, maximum: arena.pages, shared: true });
    new Uint8Array(memory.buffer).set(this.image);
    return new ForestRunner(this, arena, memory);
  }

  /** Where the block counter, the rows and the margins go, after the image. */
  arena(capacity: number): ArenaLayout {
    const counter = roundUp(this.image.length, 64);
    const x = counter + 64;
    const out = x + roundUp(capacity * 4 * this.numFeature, 64);
    const end = out + capacity * 8 * this.groups;
    return { capacity, counter, x, out, pages: Math.ceil(end / 65_536) };
  }
}

export interface ArenaLayout {
  /** Rows that fit. */
  capacity: number;
  /** Byte addresses. */
  counter: number;
  x: number;
  out: number;
  pages: number;
}

/** One thread's instance over a memory holding the model and an arena; other threads may run over the same memory. */
export class ForestRunner {
  private readonly work: (x: number, out: number, n: number, counter: number) => void;

  constructor(
    readonly program: ForestProgram,
    readonly arena: ArenaLayout,
    readonly memory: WasmMemory,
  ) {
    const instance = new WebAssemblyApi.Instance(program.module, { env: { memory } });
    this.work = instance.exports['work'] as typeof this.work;
  }

  /** Copy n rows into the arena and let blocks be taken from the start again. */
  load(rows: Float32Array, n: number): void {
    new Float32Array(this.memory.buffer, this.arena.x, n * this.program.numFeature).set(rows);
    new Int32Array(this.memory.buffer, this.arena.counter, 1)[0] = 0;
  }

  /** Compute margins for the loaded rows' blocks until none are left to take. */
  run(n: number): void {
    this.work(this.arena.x, this.arena.out, n, this.arena.counter);
  }

  /** The margins of the n loaded rows (a view into the arena: copy before the next load). */
  margins(n: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.arena.out, n * this.program.groups);
  }

  /** Margins for n rows, all on this thread, a piece of `arena.capacity` rows at a time. */
  marginsOf(rows: Float32Array, n: number): Float64Array {
    const { numFeature: f, groups: g } = this.program;
    const out = new Float64Array(n * g);
    for (let r0 = 0; r0 < n; r0 += this.arena.capacity) {
      const rows0 = Math.min(this.arena.capacity, n - r0);
      this.load(rows.subarray(r0 * f, (r0 + rows0) * f), rows0);
      this.run(rows0);
      out.set(this.margins(rows0), r0 * g);
    }
    return out;
  }
}

function roundUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

/** work(x, out, n, counter): take blocks by an atomic add on the counter; kernel (function 1) over each. */
function workCode(numFeature: number, groups: number, blockRows: number): WasmCode {
  const [X, OUT, N, COUNTER, START, ROWS] = [0, 1, 2, 3, 4, 5];
  const c = new WasmCode();
  c.block().loop();
  c.get(COUNTER).i32(1).i32AtomicAdd().i32(blockRows).mul().tee(START).get(N).geS().brIf(1);
  c.get(N).get(START).sub().set(ROWS);
  c.get(X).get(START).i32(4 * numFeature).mul().add();
  c.get(OUT).get(START).i32(8 * groups).mul().add();
  c.i32(blockRows).get(ROWS).get(ROWS).i32(blockRows).geS().select();
  c.call(1).br(0).end().end();
  return c;
}

/** kernel(x, out, n): margins of n rows (n ≤ a block): base margins, then every tree, then the rows with a NaN again. */
function kernelCode(forest: ForestArrays, stride: number, R: number): { locals: [number, number][]; code: WasmCode } {
  const { trees, depth, numFeature, groups, baseMargin } = forest;
  const rowBytes = 4 * numFeature;
  const missing = 16 * (1 << depth);
  // Parameters, then locals: i32s, f32s, v128s.
  const [X, OUT, N] = [0, 1, 2];
  const [TB, XR, OP, XEND_WALK, XEND, F0, A, K] = [3, 4, 5, 6, 7, 8, 9, 10];
  const [T0, V] = [11, 12];
  const [EIGHT, TBV, TB16V, T0V, XV, TV, KV] = [13, 14, 15, 16, 17, 18, 19];
  const locals: [number, number][] = [
    [8, I32],
    [2, F32],
    [6 + R / 4, V128],
  ];
  const c = new WasmCode();
  const treesEnd = trees * stride;

  c.i32(8).i32x4Splat().set(EIGHT);
  c.get(X).get(N).i32(rowBytes).mul().add().set(XEND);
  c.get(X).get(N).get(N).i32(R).remU().sub().i32(rowBytes).mul().add().set(XEND_WALK);

  // Every row's margins start at the base margins.
  const forEachRow = (body: () => void) => {
    c.get(X).set(XR).get(OUT).set(OP);
    c.block().loop().get(XR).get(XEND).geU().brIf(1);
    body();
    c.get(XR).i32(rowBytes).add().set(XR).get(OP).i32(8 * groups).add().set(OP).br(0).end().end();
  };
  const setBase = () => {
    for (let g = 0; g < groups; g++) c.get(OP).f64(baseMargin[g]!).f64Store(8 * g);
  };
  forEachRow(setBase);

  // out[row] += the leaf at the address `leaf` pushes; `address` pushes where the row's margin for this tree's group is.
  const atOp = () => c.get(OP);
  const addLeaf = (row: number, leaf: () => void, address: () => void = atOp) => {
    address();
    address();
    c.f64Load(8 * groups * row);
    leaf();
    c.f64Load().f64Add().f64Store(8 * groups * row);
  };
  // R rows at xr, four per vector of node addresses (the tree's base plus 8j); the root's split is in F0/T0V.
  const walkSimd = () => {
    for (let v = 0; v < R / 4; v++) {
      for (let lane = 0; lane < 4; lane++) c.get(XR).get(F0).add().get(XV).load32Lane(rowBytes * (4 * v + lane), lane).set(XV);
      c.get(XV).get(T0V).f32x4Ge().get(EIGHT).v128And().get(TB16V).i32x4Add().set(KV + v);
    }
    for (let d = 1; d < depth; d++) {
      for (let v = 0; v < R / 4; v++) {
        for (let lane = 0; lane < 4; lane++) {
          c.get(KV + v).i32x4ExtractLane(lane).tee(A);
          c.i32Load().get(XR).add().get(XV).load32Lane(rowBytes * (4 * v + lane), lane).set(XV);
          c.get(A).get(TV).load32Lane(4, lane).set(TV);
        }
        // tb + 8j → tb + 16j + 8·right = 2·address − tb + 8·right
        c.get(XV).get(TV).f32x4Ge().get(EIGHT).v128And().get(KV + v).i32(1).i32x4Shl().get(TBV).i32x4Sub().i32x4Add().set(KV + v);
      }
    }
    for (let v = 0; v < R / 4; v++) for (let lane = 0; lane < 4; lane++) addLeaf(4 * v + lane, () => c.get(KV + v).i32x4ExtractLane(lane));
  };
  // One row at xr; with `withMissing`, a NaN follows the split's default direction instead of going left.
  const walkOne = (withMissing: boolean, address?: () => void) => {
    c.i32(8).set(K);
    for (let d = 0; d < depth; d++) {
      c.get(TB).get(K).add().tee(A).i32Load().get(XR).add().f32Load().set(V);
      if (withMissing) c.get(TB).get(K).i32(3).shrU().add().u8Load(missing);
      c.get(V).get(A).f32Load(4).f32Ge();
      if (withMissing) c.get(V).get(V).f32Ne().select();
      c.i32(3).shl().get(K).i32(1).shl().add().set(K);
    }
    addLeaf(0, () => c.get(TB).get(K).add(), address);
  };

  if (trees > 0) {
    c.i32(0).set(TB).loop();
    if (depth > 0) {
      c.get(TB).i32Load(8).set(F0).get(TB).f32Load(12).tee(T0).f32x4Splat().set(T0V);
      c.get(TB).i32x4Splat().set(TBV).get(TB).i32(16).add().i32x4Splat().set(TB16V);
    }
    c.get(X).set(XR).get(OUT);
    if (groups > 1) c.get(TB).i32Load().add();
    c.set(OP);
    if (depth > 0) {
      c.block().loop().get(XR).get(XEND_WALK).geU().brIf(1);
      walkSimd();
      c.get(XR).i32(R * rowBytes).add().set(XR).get(OP).i32(R * 8 * groups).add().set(OP).br(0).end().end();
    }
    c.block().loop().get(XR).get(XEND).geU().brIf(1);
    walkOne(false);
    c.get(XR).i32(rowBytes).add().set(XR).get(OP).i32(8 * groups).add().set(OP).br(0).end().end();
    c.get(TB).i32(stride).add().tee(TB).i32(treesEnd).ltU().brIf(0).end();
  }

  // Rows with a missing value, again from the base margins.
  if (trees > 0 && depth > 0) {
    forEachRow(() => {
      c.i32(0);
      for (let f = 0; f < numFeature; f++) c.get(XR).f32Load(4 * f).get(XR).f32Load(4 * f).f32Ne().or();
      c.if();
      setBase();
      c.i32(0).set(TB).loop();
      walkOne(true, () => {
        c.get(OP);
        if (groups > 1) c.get(TB).i32Load().add();
      });
      c.get(TB).i32(stride).add().tee(TB).i32(treesEnd).ltU().brIf(0).end();
      c.end();
    });
  }
  return { locals, code: c };
}
