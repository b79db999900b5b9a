/**
 * A run's equity over time, in arrival order: the account after each heartbeat and at each equity mark, as columns
 * of typed arrays that grow by doubling. What the metrics, a sweep's period returns and a walk-forward's stitched
 * equity read, at a few bytes per decision instead of an object each.
 */
export class EquityCurve {
  length = 0;
  private ts = new Float64Array(1024);
  private equities = new Float64Array(1024);
  private quantities = new Float64Array(1024);

  push(ts: number, equity: number, quantity: number): void {
    const i = this.length;
    if (i === this.ts.length) this.grow();
    this.ts[i] = ts;
    this.equities[i] = equity;
    this.quantities[i] = quantity;
    this.length = i + 1;
  }

  /** Every point of `other`, after this curve's (a walk-forward's folds, one after another). */
  append(other: EquityCurve): void {
    for (let i = 0; i < other.length; i++) this.push(other.ts[i]!, other.equities[i]!, other.quantities[i]!);
  }

  /** Unix ms of each point (a view: valid until the next push). */
  get time(): Float64Array {
    return this.ts.subarray(0, this.length);
  }

  get equity(): Float64Array {
    return this.equities.subarray(0, this.length);
  }

  /** The position size at each point (signed). */
  get quantity(): Float64Array {
    return this.quantities.subarray(0, this.length);
  }

  private grow(): void {
    const next = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.ts = next(this.ts);
    this.equities = next(this.equities);
    this.quantities = next(this.quantities);
  }
}
