/**
 * A model's recent record of directional calls (hit or miss), kept over the last `window` outcomes with
 * exponential decay (the newest counts 1, the one before `decay`, …). From it come:
 * - `hitRate`: the posterior mean of a Beta(1 + hits, 1 + misses), i.e. Laplace-smoothed: ½ with no record;
 * - `weightMultiplier` = 2 × hitRate: 1 for no record or a coin-flipper, → 2 for a model always right,
 *   → 0 for one always wrong. Ensemble weights are the configured weight times this.
 */
export class ModelRecord {
  private readonly outcomes: boolean[] = [];
  /** The decayed counts, computed once per change of the record (they are read at every decision). */
  private cached: { hits: number; misses: number } | undefined;

  constructor(
    readonly window: number,
    readonly decay: number,
  ) {
    if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`window must be a positive integer, got ${window}`);
    if (!(decay > 0 && decay <= 1)) throw new RangeError(`decay must be in (0, 1], got ${decay}`);
  }

  record(hit: boolean): void {
    this.outcomes.push(hit);
    if (this.outcomes.length > this.window) this.outcomes.shift();
    this.cached = undefined;
  }

  get count(): number {
    return this.outcomes.length;
  }

  /** Decayed hit and miss counts. */
  tallies(): { readonly hits: number; readonly misses: number } {
    if (this.cached) return this.cached;
    let hits = 0;
    let misses = 0;
    let w = 1;
    for (let i = this.outcomes.length - 1; i >= 0; i--) {
      if (this.outcomes[i]) hits += w;
      else misses += w;
      w *= this.decay;
    }
    this.cached = { hits, misses };
    return this.cached;
  }

  hitRate(): number {
    const { hits, misses } = this.tallies();
    return (1 + hits) / (2 + hits + misses);
  }

  weightMultiplier(): number {
    return 2 * this.hitRate();
  }
}
