import { invariantError, type Journal, type JournalRecord, type JournalRecordType } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { ChunkAppender } from './ChunkAppender.ts';
import { JournalHasher } from './journalHash.ts';
import { JOURNAL_TABLES, JOURNAL_TABLE_LIST, type JournalTable } from './journalTables.ts';
import type { RunManifest } from './RunManifest.ts';

export type RunKind = 'replay' | 'live' | 'paper' | 'walkforward' | 'sweep';
export type RunStatus = 'running' | 'complete' | 'failed';

export interface RunStart {
  runId: string;
  kind: RunKind;
  manifest: RunManifest;
  /** Wall-clock creation time (the run id's time). */
  createdAt: Date;
}

export interface RunSummary {
  /** Stored as JSON. */
  metrics: RunMetrics;
  bars: number;
  elapsedMs: number;
  finishedAt: Date;
}

export interface FinishedRun {
  runId: string;
  journalHash: string;
  records: number;
}

/**
 * The Journal adapter for replay and live: every record goes to its typed table (snapshots, predictions, decisions,
 * …) keyed by (run_id, seq), through DuckDB appenders a data chunk at a time, and into the journal hash as it
 * arrives. The runs row is written when the journal opens (status 'running', so a crashed run is visible and its
 * rows attributable) and completed by `finish` with the hash, metrics and timings.
 *
 * Records are copied into column buffers when they arrive, so the engine may reuse or mutate its objects afterwards.
 */
export class DuckDbJournal implements Journal {
  private readonly hasher = new JournalHasher();
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly store: Store,
    readonly runId: string,
    private readonly appenders: { readonly [T in JournalRecordType]: ChunkAppender },
  ) {}

  static async open(store: Store, start: RunStart): Promise<DuckDbJournal> {
    await store.connection.run(`INSERT INTO runs (run_id, created_at, kind, status, manifest) VALUES ($1, $2::TIMESTAMP, $3, 'running', $4)`, [
      start.runId,
      timestampText(start.createdAt),
      start.kind,
      JSON.stringify(start.manifest),
    ]);
    const appenders = {} as Record<JournalRecordType, ChunkAppender>;
    for (const table of JOURNAL_TABLE_LIST) {
      appenders[table.type] = await ChunkAppender.open(store.connection, table.table, ['VARCHAR', 'BIGINT', ...table.columns.map((c) => c.type)]);
    }
    return new DuckDbJournal(store, start.runId, appenders);
  }

  record(entry: JournalRecord): void {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `a record arrived after the journal of ${this.runId} was closed`);
    const cells = (JOURNAL_TABLES[entry.type] as JournalTable).toRow(entry);
    this.hasher.updateRow(entry.type, cells);
    this.appenders[entry.type].append([this.runId, this.seq++, ...cells]);
  }

  /** Write what is buffered and complete the runs row. */
  async finish(summary: RunSummary): Promise<FinishedRun> {
    this.close();
    const journalHash = this.hasher.digest();
    await this.store.connection.run(
      `UPDATE runs SET status = 'complete', metrics = $2, journal_hash = $3, records = $4, bars = $5, elapsed_ms = $6, finished_at = $7::TIMESTAMP
       WHERE run_id = $1`,
      [this.runId, JSON.stringify(summary.metrics), journalHash, this.seq, summary.bars, summary.elapsedMs, timestampText(summary.finishedAt)],
    );
    return { runId: this.runId, journalHash, records: this.seq };
  }

  /** Keep what was journaled and mark the run failed, with the reason. */
  async fail(message: string, finishedAt: Date): Promise<void> {
    this.close();
    await this.store.connection.run(`UPDATE runs SET status = 'failed', records = $2, message = $3, finished_at = $4::TIMESTAMP WHERE run_id = $1`, [
      this.runId,
      this.seq,
      message,
      timestampText(finishedAt),
    ]);
  }

  private close(): void {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `the journal of ${this.runId} was closed twice`);
    this.closed = true;
    for (const appender of Object.values(this.appenders)) appender.close();
  }
}

/** DuckDB TIMESTAMP text (UTC, no zone). */
function timestampText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
