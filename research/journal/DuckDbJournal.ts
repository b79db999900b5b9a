import { invariantError, isCanonicalMatrix, retainRecord, type FeatureMatrix, type HeartbeatRecord, type Journal, type JournalRecord } from '../../engine/index.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { timestampText, type Store } from '../../data/index.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { ChunkAppender } from './ChunkAppender.ts';
import { FeatureSetFeed } from './FeatureSetFeed.ts';
import { featureSetId } from './featureSetId.ts';
import { HeartbeatBlock, VoteModels } from './HeartbeatBlock.ts';
import { HeartbeatFeed } from './HeartbeatFeed.ts';
import { JournalHasher } from './journalHash.ts';
import { JOURNAL_TABLES, JOURNAL_TABLE_LIST, type JournalTable, type RowRecordType } from './journalTables.ts';
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

export interface JournalOptions {
  /**
   * The run's feature matrix (a replay's): its rows are kept once per distinct content in `feature_sets`, written
   * with this run when the store has no copy yet, and a heartbeat whose features are a row of it stores NULL
   * features and its row number. Without it every heartbeat stores its features (live mode).
   */
  features?: FeatureMatrix;
}

/** The feature set a journal's heartbeats refer to. */
interface RunFeatureSet {
  id: string;
  matrix: FeatureMatrix;
  /** This journal writes the set; its claim ends once the set has committed or rolled back (FeatureSetFeed). */
  writes: boolean;
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
  /** The summary stored with the run (the one `finish` was given, or made). */
  summary: RunSummary;
}

/**
 * The Journal adapter for replay and live. Heartbeats (one per decision: equity, features, votes, decision) are
 * gathered in blocks of 2048 as typed arrays (HeartbeatBlock) and go to the `heartbeats` table through a
 * HeartbeatFeed, which DuckDB reads on a thread of its own while the engine runs on; the rarer records (orders,
 * fills, funding, risk events, trades, equity marks) are buffered and go to their typed tables through DuckDB
 * appenders at each commit. All rows are keyed by (run_id, seq) and go into the journal hash in order. The runs row
 * is written when the journal opens (status 'running', so a crashed run is visible and its rows attributable) and
 * completed by `finish` with the hash, metrics and timings.
 *
 * Records are copied when they arrive, so the engine may reuse or mutate its objects afterwards. A replay calls
 * `pause()` after each heartbeat and awaits what it returns (see HeartbeatFeed).
 *
 * A replay's features are not stored per heartbeat: the journal is given the run's feature matrix, which the store
 * keeps once per distinct content (FeatureSetFeed; the `snapshots` view and `readJournal` join it back). A heartbeat
 * refers to row `row` of that set when its features are exactly that row of the matrix (the same memory, as the
 * coordinator passes it); any other heartbeat stores its own.
 */
export class DuckDbJournal implements Journal {
  private readonly hasher = new JournalHasher();
  private readonly models: VoteModels;
  private block: HeartbeatBlock;
  /** Blocks the feed has copied into DuckDB, for reuse. */
  private readonly spare: HeartbeatBlock[] = [];
  /** Rows of the current block already queued (by `commit`); the block is hashed whole when it fills. */
  private blockStored = 0;
  /** How many of `models` have their `run_models` row. */
  private modelsStored = 0;
  private seq = 0;
  private closed = false;
  /** While a commit is in flight the connection is busy: records wait here (copied), in order, and follow it. */
  private committing = false;
  private readonly held: JournalRecord[] = [];

  private constructor(
    private readonly store: Store,
    readonly runId: string,
    private readonly connection: DuckDBConnection,
    private readonly heartbeats: HeartbeatFeed,
    private readonly appenders: { readonly [T in RowRecordType]: ChunkAppender },
    private readonly runModels: ChunkAppender,
    private readonly featureSet: RunFeatureSet | undefined,
    /** The set this journal writes, committed on its own: the journal's heartbeats refer to it, so its commit waits for it. */
    private readonly setCommitted: Promise<void> | undefined,
    /** The runs row's insert, committed on the store's connection while the journal starts: awaited before the journal commits. */
    private readonly runRow: Promise<unknown>,
  ) {
    this.models = new VoteModels();
    this.block = new HeartbeatBlock(this.models, featureSet?.matrix);
  }

  /**
   * Register the run and start its journal. The journal writes on a connection of its own inside one transaction,
   * committed by `commit` (live mode, periodically), `finish` or `fail`: one commit for a whole replay instead of one
   * per table and flush, which is most of what storing a year of decisions costs.
   */
  static async open(store: Store, start: RunStart, options: JournalOptions = {}): Promise<DuckDbJournal> {
    const featureSet = await claimFeatureSet(store, options.features);
    let setFeed: FeatureSetFeed | undefined;
    // The runs row commits (an autocommit on the store's connection, a few ms) while the journal's own connection
    // starts; nothing of the journal is committed before it is (`flush` awaits it), and a failed insert fails the run.
    const runRow = store.connection.run(
      `INSERT INTO runs (run_id, created_at, kind, status, manifest, feature_set) VALUES ($1, $2::TIMESTAMP, $3, 'running', $4, $5)`,
      [start.runId, timestampText(start.createdAt), start.kind, JSON.stringify(start.manifest), featureSet?.id ?? null],
    );
    runRow.catch(() => undefined); // its error reaches `flush`, or the `await` below when the start fails
    try {
      await HeartbeatFeed.register(store);
      if (featureSet?.writes) await FeatureSetFeed.register(store);
      const connection = await store.connect();
      await connection.run('BEGIN TRANSACTION');
      const appenders = {} as Record<RowRecordType, ChunkAppender>;
      for (const table of JOURNAL_TABLE_LIST) {
        appenders[table.type] = await ChunkAppender.open(connection, table.table, ['VARCHAR', 'BIGINT', ...table.columns.map((c) => c.type)]);
      }
      const runModels = await ChunkAppender.open(connection, 'run_models', ['VARCHAR', 'UTINYINT', 'VARCHAR']);
      // The set's rows go in on their own connection and transaction, beside the heartbeat inserts; `flush` waits for
      // the set's commit, since the heartbeats refer to it.
      setFeed = featureSet?.writes ? FeatureSetFeed.start(store, featureSet.id, featureSet.matrix, start.createdAt) : undefined;
      const heartbeats = HeartbeatFeed.open(connection, start.runId, setFeed?.inserted);
      return new DuckDbJournal(store, start.runId, connection, heartbeats, appenders, runModels, featureSet, setFeed?.committed, runRow);
    } catch (error) {
      if (featureSet?.writes && setFeed === undefined) FeatureSetFeed.release(store, featureSet.id);
      await runRow.catch(() => undefined); // the store's connection is free again when open throws
      throw error;
    }
  }

  record(entry: JournalRecord): void {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `a record arrived after the journal of ${this.runId} was closed`);
    if (this.heartbeats.error) throw this.heartbeats.error;
    if (this.committing) {
      this.held.push(retainRecord(entry));
      return;
    }
    if (entry.type === 'heartbeat') {
      this.block.add(this.seq++, entry, this.featureSet !== undefined && isSetRow(entry, this.featureSet.matrix));
      if (this.block.full) this.queueBlock();
      return;
    }
    const cells = (JOURNAL_TABLES[entry.type] as JournalTable).toRow(entry);
    this.hasher.updateRow(this.seq, entry.type, cells);
    this.appenders[entry.type].append([this.runId, this.seq++, ...cells]);
  }

  /** After a heartbeat: a promise to await now and then, so that DuckDB's thread can take the queued rows. */
  pause(): Promise<void> | undefined {
    return this.heartbeats.pause();
  }

  /** Make everything journaled so far durable (a live run calls this now and then; a replay needs only `finish`). */
  async commit(): Promise<void> {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `the journal of ${this.runId} is closed`);
    if (this.committing) return;
    this.committing = true;
    try {
      await this.flush();
      await this.connection.run('COMMIT');
      await this.connection.run('BEGIN TRANSACTION');
    } finally {
      this.committing = false;
      for (const entry of this.held.splice(0)) this.record(entry);
    }
  }

  /**
   * Write what is buffered and complete the runs row. `summary` may be a function: it is then called while DuckDB
   * commits the journal on a thread of its own, so that a replay computes its metrics in the commit's time.
   */
  async finish(summary: RunSummary | (() => RunSummary)): Promise<FinishedRun> {
    let made = typeof summary === 'function' ? undefined : summary;
    // `close` calls the function or throws, so `made` is set below.
    await this.close(typeof summary === 'function' ? () => void (made = summary()) : undefined);
    const { metrics, bars, elapsedMs, finishedAt } = made!;
    const journalHash = this.hasher.digest(this.models.names);
    await this.store.connection.run(
      `UPDATE runs SET status = 'complete', metrics = $2, journal_hash = $3, records = $4, bars = $5, elapsed_ms = $6, finished_at = $7::TIMESTAMP
       WHERE run_id = $1`,
      [this.runId, JSON.stringify(metrics), journalHash, this.seq, bars, elapsedMs, timestampText(finishedAt)],
    );
    return { runId: this.runId, journalHash, records: this.seq, summary: made! };
  }

  /** Keep what was journaled and mark the run failed, with the reason (also after `finish` failed to store it). */
  async fail(message: string, finishedAt: Date): Promise<void> {
    let reason = message;
    if (!this.closed) {
      try {
        await this.close();
      } catch (error) {
        reason = `${message}; its journal could not be stored: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    await this.store.connection.run(`UPDATE runs SET status = 'failed', records = $2, message = $3, finished_at = $4::TIMESTAMP WHERE run_id = $1`, [
      this.runId,
      this.seq,
      reason,
      timestampText(finishedAt),
    ]);
  }

  /** The full block: hashed, queued for the table, and a spare one to fill next. */
  private queueBlock(): void {
    const block = this.block;
    this.hasher.updateHeartbeats(block);
    this.heartbeats.push(block, this.blockStored, block.rows, () => {
      block.clear();
      this.spare.push(block);
    });
    this.block = this.spare.pop() ?? new HeartbeatBlock(this.models, this.featureSet?.matrix);
    this.blockStored = 0;
  }

  /** Every journaled row into its table (still inside the transaction). */
  private async flush(): Promise<void> {
    await this.runRow;
    this.heartbeats.push(this.block, this.blockStored, this.block.rows);
    this.blockStored = this.block.rows;
    await this.heartbeats.drain();
    await this.setCommitted;
    // The appenders need the connection, which the feed's inserts hold until drained. The models that voted since
    // the last flush are numbered as the stored votes refer to them.
    const names = this.models.names;
    for (; this.modelsStored < names.length; this.modelsStored++) this.runModels.append([this.runId, this.modelsStored, names[this.modelsStored]!]);
    this.runModels.flushToTable();
    for (const appender of Object.values(this.appenders)) appender.flushToTable();
  }

  private async close(whileCommitting?: () => void): Promise<void> {
    if (this.closed) throw invariantError('JOURNAL_CLOSED', `the journal of ${this.runId} was closed twice`);
    if (this.committing) throw invariantError('JOURNAL_BUSY', `the journal of ${this.runId} was closed while it was committing`);
    this.closed = true;
    this.hasher.updateHeartbeats(this.block);
    await this.commitAndClose(whileCommitting);
  }

  /**
   * The last rows into their tables and the commit (or, when an insert failed, the rollback). `whileCommitting` runs
   * on this thread while the COMMIT runs on DuckDB's; the commit is awaited before its error, if any, is thrown.
   */
  private async commitAndClose(whileCommitting?: () => void): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      // The failed insert aborted the transaction: nothing of it can be kept.
      await this.connection.run('ROLLBACK');
      this.connection.closeSync();
      // The set's own transaction ends (commits, or rolls back) before the journal does: a failed run returns with
      // its set settled and its claim ended, as a complete one does.
      await this.setCommitted?.catch(() => undefined);
      throw error;
    } finally {
      this.heartbeats.close();
    }
    this.runModels.close();
    for (const appender of Object.values(this.appenders)) appender.close();
    const committed = this.connection.run('COMMIT');
    let failure: { error: unknown } | undefined;
    try {
      whileCommitting?.();
    } catch (error) {
      failure = { error };
    }
    await committed;
    this.connection.closeSync();
    if (failure) throw failure.error;
  }
}

/**
 * The set for `matrix` (none without one): stored already, or to be written by this journal, unless another is
 * writing it. A matrix holding −0 or a NaN other than the one NaN (not made by `computeFeatures`) has none: the hash
 * reads set rows from its memory, which must hold the bits that read back.
 */
async function claimFeatureSet(store: Store, matrix: FeatureMatrix | undefined): Promise<RunFeatureSet | undefined> {
  if (matrix === undefined || matrix.rows === 0 || !isCanonicalMatrix(matrix)) return undefined;
  const id = featureSetId(matrix);
  const claim = await FeatureSetFeed.claim(store, id);
  return claim === 'busy' ? undefined : { id, matrix, writes: claim === 'claimed' };
}

/** Whether the heartbeat's features are row `row` of the matrix: the same memory, which the matrix's content id covers. */
function isSetRow(beat: HeartbeatRecord, matrix: FeatureMatrix): boolean {
  const { features, row } = beat;
  const { values, width } = matrix;
  return (
    features.buffer === values.buffer &&
    features.length === width &&
    row >= 0 &&
    row < matrix.rows &&
    features.byteOffset === values.byteOffset + row * width * Float64Array.BYTES_PER_ELEMENT
  );
}
