/** f(x) and its gradient, written into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

export interface LbfgsOptions {
  maxIterations?: number;
  /** Converged once the largest gradient component is below this. */
  gradientTolerance?: number;
  /** Or once an iteration lowers f by less than this fraction of |f|. */
  relativeTolerance?: number;
  /** Curvature pairs kept. */
  memory?: number;
}

/**
 * Limited-memory BFGS (Nocedal & Wright, algorithm 7.4: the two-loop recursion) with a backtracking line
 * search on the Armijo condition. Enough for smooth convex objectives such as regularised log-loss, and
 * deterministic: no randomness, fixed arithmetic order.
 */
export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { maxIterations = 500, gradientTolerance = 1e-7, relativeTolerance = 1e-12, memory = 10 } = options;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let grad = new Float64Array(n);
  let value = f(x, grad);
  const s: Float64Array[] = [];
  const yk: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  const direction = new Float64Array(n);
  let nextX = new Float64Array(n);
  let nextGrad = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(grad) < gradientTolerance) return { x, value, iterations: iteration, converged: true };
    direction.set(grad);
    for (let i = s.length - 1; i >= 0; i--) {
      alpha[i] = rho[i]! * dot(s[i]!, direction);
      axpy(-alpha[i]!, yk[i]!, direction);
    }
    // Without history, a first step of unit length keeps the line search's scale sensible.
    const gamma = s.length > 0 ? dot(s.at(-1)!, yk.at(-1)!) / dot(yk.at(-1)!, yk.at(-1)!) : 1 / Math.sqrt(dot(grad, grad));
    for (let i = 0; i < n; i++) direction[i]! *= gamma;
    for (let i = 0; i < s.length; i++) axpy(alpha[i]! - rho[i]! * dot(yk[i]!, direction), s[i]!, direction);
    // direction now approximates H·grad; the step is its negative.
    const slope = -dot(grad, direction);
    let step = 1;
    let nextValue = Infinity;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) nextX[i] = x[i]! - step * direction[i]!;
      nextValue = f(nextX, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(nextValue < value)) return { x, value, iterations: iteration, converged: maxAbs(grad) < gradientTolerance * 1e3 };
    const sNew = new Float64Array(n);
    const yNew = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sNew[i] = nextX[i]! - x[i]!;
      yNew[i] = nextGrad[i]! - grad[i]!;
    }
    const sy = dot(sNew, yNew);
    if (sy > 1e-12) {
      if (s.length === memory) {
        s.shift();
        yk.shift();
        rho.shift();
      }
      s.push(sNew);
      yk.push(yNew);
      rho.push(1 / sy);
    }
    const improvement = value - nextValue;
    [x, nextX] = [nextX, x];
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
    if (improvement <= relativeTolerance * Math.max(1, Math.abs(value))) return { x, value, iterations: iteration + 1, converged: true };
  }
  return { x, value, iterations: maxIterations, converged: maxAbs(grad) < gradientTolerance };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}
