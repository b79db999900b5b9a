/**
 * The last `capacity` latencies in a ring, for percentiles in /health: bounded memory, recent behaviour, and no
 * randomness (a reservoir sample would need a generator and would remember the server's first minutes forever).
 */
export class LatencyWindow {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(capacity = 4096) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  /** Nearest-rank percentiles (p in (0, 100]) over the window; NaN when it is empty. */
  percentiles(ps: readonly number[]): number[] {
    const sorted = this.values.slice(0, this.count).sort();
    return ps.map((p) => (this.count === 0 ? Number.NaN : sorted[Math.max(0, Math.ceil((p / 100) * this.count) - 1)]!));
  }

  get size(): number {
    return this.count;
  }
}
