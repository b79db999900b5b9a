import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../data/index.ts';
import type { JournalRecord } from '../../engine/index.ts';
import { DuckDbJournal, metricsFromJournal } from '../../research/index.ts';
import { sampleManifest } from '../../research/test/sampleJournal.ts';

/** Test support: a temp store and a way to journal hand-made records into it as a finished run. */
export class JournalStore {
  readonly dir = mkdtempSync(join(tmpdir(), 'xylen-studio-'));
  readonly path = join(this.dir, 'store.duckdb');
  private opened: Store | undefined;
  private count = 0;

  async store(): Promise<Store> {
    this.opened ??= await Store.open(this.path);
    return this.opened;
  }

  /** Journal `records` as a complete replay run and return its id. */
  async run(records: JournalRecord[], data: Parameters<typeof sampleManifest>[0] = {}): Promise<string> {
    const store = await this.store();
    const runId = `run-20240101-0000${String(this.count++).padStart(2, '0')}-abcd`;
    const journal = await DuckDbJournal.open(store, { runId, kind: 'replay', manifest: sampleManifest(data), createdAt: new Date(Date.UTC(2024, 0, 1)) });
    for (const r of records) journal.record(r);
    const metrics = metricsFromJournal(records, { barMs: 300_000, firstClose: 100, lastClose: 100 });
    await journal.finish({ metrics, bars: records.length, elapsedMs: 1, finishedAt: new Date(Date.UTC(2024, 0, 1)) });
    return runId;
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }

  cleanup(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
