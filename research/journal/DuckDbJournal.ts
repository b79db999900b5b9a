import { invariantError, type Journal, type JournalRecord } from '../../engine/index.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../../data/index.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { ChunkAppender } from './ChunkAppender.ts';
import { HeartbeatAppender } from './HeartbeatAppender.ts';
import { BLOCK_ROWS, HeartbeatBlock, VoteModels } from './HeartbeatBlock.ts';
import { JournalHasher } from './journalHash.ts';
import { JOURNAL_TABLES, JOURNAL_TABLE_LIST, type Cell, type JournalTable, type RowRecordType } from './journalTables.ts';
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

/** Rows [from, to) of a heartbeat block, waiting to be written. */
interface BlockRows {
  block: HeartbeatBlock;
  from: number;
  to: number;
}

/**
 * The Journal adapter for replay and live. Heartbeats (one per decision: equity, features, votes, decision) are kept a
 * block of 2048 at a time in typed arrays (HeartbeatBlock) and go to the `heartbeats` table straight from them
 * (HeartbeatAppender); the rarer records (orders, fills, funding, risk events, trades, equity marks) go to their typed
 * tables through DuckDB appenders. All rows are keyed by (run_id, seq) and hashed as they arrive.
 *
 * `record` never touches DuckDB: it copies the record, hashes it and queues it. A writer, woken when a block fills and
 * run whenever the caller lets the event loop turn (the replay loop does every 65,536 bars), writes what is queued on
 * the journal's own connection in one transaction and commits it in the background, so the commit (the write-ahead
 * log, and DuckDB's checkpoint when the log grows) runs on another core while the replay goes on. `commit` (live mode,
 * after every bar) and `finish` wait for everything recorded so far to be written.
 *
 * The runs row is written when the journal opens (status 'running', so a crashed run is visible and its rows
 * attributable) and completed by `finish` with the hash, metrics and timings.
 */
export class DuckDbJournal implements Journal {
  private readonly hasher = new JournalHasher();
  private readonly models: VoteModels;
  private block: HeartbeatBlock;
  /** Rows of the current block already queued (by `commit`); the block is hashed whole when it fills. */
  private blockQueued = 0;
  private readonly spare: HeartbeatBlock[] = [];
  private readonly beats: BlockRows[] = [];
  private readonly rows: { type: RowRecordType; cells: Cell[] }[] = [];
  private readonly newModels: Cell[][] = [];
  private writing: Promise<void> | undefined;
  private wake: ReturnType<typeof setImmediate> | undefined;
  private failure: unknown;
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly store: Store,
    readonly runId: string,
    private readonly connection: DuckDBConnection,
    private readonly heartbeats: HeartbeatAppender,
    private readonly appenders: { readonly [T in RowRecordType]: ChunkAppender },
    private readonly runModels: ChunkAppender,
  ) {
    this.models = new VoteModels((index, name) => this.newModels.push([this.runId, index, name]));
    this.block = new HeartbeatBlock(this.models);
  }

  /** Register the run and start its journal, on a connection of its own. */
  static async open(store: Store, start: RunStart): Promise<DuckDbJournal> {
    await store.connection.run(`INSERT INTO runs (run_id, created_at, kind, status, manifest) VALUES ($1, $2::TIMESTAMP, $3, 'running', $4)`, [
      start.runId,
      timestampText(start.createdAt),
      start.kind,
      JSON.stringify(start.manifest),
    ]);
    const connection = await store.connect();
    const appenders = {} as Record<RowRecordType, ChunkAppender>;
    for (const table of JOURNAL_TABLE_LIST) {
      appenders[table.type] = await ChunkAppender.open(connection, table.table, ['VARCHAR', 'BIGINT', ...table.columns.map((c) => c.type)]);
    }
    const runModels = await ChunkAppender.open(connection, 'run_models', ['VARCHAR', 'UTINYINT', 'VARCHAR']);
    return new DuckDbJournal(store, start.runId, connection, await HeartbeatAppender.open(connection, start.runId), appenders, runModels);
  }

  record(entry: JournalRecord): void {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `a record arrived after the journal of ${this.runId} was closed`);
    if (entry.type === 'heartbeat') {
      this.block.add(this.seq++, entry);
      if (this.block.full) this.blockFull();
      return;
    }
    const cells = (JOURNAL_TABLES[entry.type] as JournalTable).toRow(entry);
    this.hasher.updateRow(this.seq, entry.type, cells);
    this.rows.push({ type: entry.type, cells: [this.runId, this.seq++, ...cells] });
  }

  /** Make everything journaled so far durable (a live run calls this after every bar; a replay needs only `finish`). */
  async commit(): Promise<void> {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `the journal of ${this.runId} is closed`);
    this.queuePartialBlock();
    await this.drain();
  }

  /** Write what is queued and complete the runs row. */
  async finish(summary: RunSummary): Promise<FinishedRun> {
    await this.close();
    const journalHash = this.hasher.digest(this.models.names);
    await this.store.connection.run(
      `UPDATE runs SET status = 'complete', metrics = $2, journal_hash = $3, records = $4, bars = $5, elapsed_ms = $6, finished_at = $7::TIMESTAMP
       WHERE run_id = $1`,
      [this.runId, JSON.stringify(summary.metrics), journalHash, this.seq, summary.bars, summary.elapsedMs, timestampText(summary.finishedAt)],
    );
    return { runId: this.runId, journalHash, records: this.seq };
  }

  /** Keep what was journaled and mark the run failed, with the reason. */
  async fail(message: string, finishedAt: Date): Promise<void> {
    await this.close();
    await this.store.connection.run(`UPDATE runs SET status = 'failed', records = $2, message = $3, finished_at = $4::TIMESTAMP WHERE run_id = $1`, [
      this.runId,
      this.seq,
      message,
      timestampText(finishedAt),
    ]);
  }

  private blockFull(): void {
    this.hasher.updateHeartbeats(this.block);
    this.beats.push({ block: this.block, from: this.blockQueued, to: this.block.rows });
    this.block = this.spare.pop() ?? new HeartbeatBlock(this.models);
    this.blockQueued = 0;
    this.wake ??= setImmediate(() => {
      this.wake = undefined;
      void this.write();
    });
  }

  private queuePartialBlock(): void {
    if (this.block.rows === this.blockQueued) return;
    this.beats.push({ block: this.block, from: this.blockQueued, to: this.block.rows });
    this.blockQueued = this.block.rows;
  }

  private get pending(): boolean {
    return this.beats.length > 0 || this.rows.length > 0 || this.newModels.length > 0;
  }

  /** Write until nothing recorded before the call is left, then report a failed background write, if any. */
  private async drain(): Promise<void> {
    while (this.writing || this.pending) await this.write();
    if (this.failure !== undefined) throw this.failure;
  }

  /** One transaction with everything queued (one at a time: a write in progress is joined, not doubled). */
  private write(): Promise<void> {
    if (this.writing) return this.writing;
    if (!this.pending) return Promise.resolve();
    this.writing = (async () => {
      await this.connection.run('BEGIN TRANSACTION');
      // From here to the flush everything is synchronous: nothing else uses the connection meanwhile.
      for (const { block, from, to } of this.beats.splice(0)) {
        this.heartbeats.append(block, from, to);
        if (to === BLOCK_ROWS) {
          block.clear();
          this.spare.push(block);
        }
      }
      for (const { type, cells } of this.rows.splice(0)) this.appenders[type].append(cells);
      for (const cells of this.newModels.splice(0)) this.runModels.append(cells);
      this.heartbeats.flushToTable();
      this.runModels.flushToTable();
      for (const appender of Object.values(this.appenders)) appender.flushToTable();
      await this.connection.run('COMMIT');
    })()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.writing = undefined;
      });
    return this.writing;
  }

  private async close(): Promise<void> {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `the journal of ${this.runId} was closed twice`);
    this.closed = true;
    if (this.wake) clearImmediate(this.wake);
    if (this.block.rows > 0) this.hasher.updateHeartbeats(this.block);
    this.queuePartialBlock();
    try {
      await this.drain();
    } finally {
      this.heartbeats.close();
      this.runModels.close();
      for (const appender of Object.values(this.appenders)) appender.close();
      this.connection.closeSync();
    }
  }
}

/** DuckDB TIMESTAMP text (UTC, no zone). */
function timestampText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
