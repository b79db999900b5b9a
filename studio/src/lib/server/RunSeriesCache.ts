/**
 * A few finished runs' downsampled series, kept in memory. A complete run never changes (its journal hash says
 * so), so its charts need not be queried again when the page is opened again or paged; a run still running, or one
 * whose hash differs (a store replaced under the studio), is read afresh.
 */
export class RunSeriesCache<T> {
  private readonly entries = new Map<string, { hash: string; value: T }>();

  constructor(private readonly capacity = 16) {}

  async get(runId: string, hash: string | null, load: () => Promise<T>): Promise<T> {
    if (hash === null) return load();
    const hit = this.entries.get(runId);
    if (hit && hit.hash === hash) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(runId);
      this.entries.set(runId, hit);
      return hit.value;
    }
    const value = await load();
    this.entries.set(runId, { hash, value });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
