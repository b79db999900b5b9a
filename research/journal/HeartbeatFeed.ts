import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import type { Store } from '../../data/index.ts';
import { fillHeartbeatChunk, HEARTBEAT_COLUMNS, runIdValue } from './heartbeatChunk.ts';
import type { HeartbeatBlock } from './HeartbeatBlock.ts';
import { addSource, registerFeedFunction, removeSource, type ChunkSource } from './feedFunction.ts';

/** The table function every store gets once; its one argument says which feed to read. */
const FUNCTION = 'xylen_heartbeat_feed';
/** While an insert runs, `pause` lets DuckDB's thread take the next chunk once per this many heartbeats (a power of 2). */
const PAUSE_EVERY = 256;

interface Rows {
  block: HeartbeatBlock;
  from: number;
  to: number;
  /** Called once the rows are copied into DuckDB's chunk (the block may then be reused). */
  release?: () => void;
}

/**
 * Heartbeat rows into the `heartbeats` table while the engine keeps running. Rows are queued as ranges of
 * heartbeat blocks; whenever there are queued rows and no insert running, the feed starts
 * `INSERT INTO heartbeats SELECT * FROM xylen_heartbeat_feed(id)` on the journal's connection. DuckDB runs that
 * statement on a thread of its own: its table scan asks this thread for one chunk at a time (a memory copy per
 * column, `fillHeartbeatChunk`), and building row groups, compressing and writing them — most of what storing a
 * journal costs — happens on DuckDB's thread while the engine computes the next heartbeats. The scan ends when the
 * queue is empty; rows queued later start the next insert.
 *
 * DuckDB's requests for chunks are served on this thread's event loop, so a long synchronous loop (a replay) must
 * call `pause()` after each heartbeat and await the promise it sometimes returns.
 */
export class HeartbeatFeed implements ChunkSource {
  private readonly queue: Rows[] = [];
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  private beats = 0;
  /** The scan the feed was opened after is still running (a feature set's rows, always ready to serve). */
  private gated = false;

  private readonly id = addSource(this);

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly runId: ReturnType<typeof runIdValue>,
  ) {}

  /** Make the feed's table function known to `store`'s database: before the journal's transaction begins, which would not see it. */
  static register(store: Store): Promise<void> {
    return registerFeedFunction(store, FUNCTION, HEARTBEAT_COLUMNS);
  }

  /**
   * A feed into the heartbeats table on `connection` (inside whatever transaction it has open; `register` first).
   * `after`: a scan already running that this thread serves (a feature set's rows, on a connection of their own);
   * until it ends `pause` gives it turns of the event loop, as it does to the feed's own inserts, which run beside it.
   */
  static open(connection: DuckDBConnection, runId: string, after?: Promise<void>): HeartbeatFeed {
    const feed = new HeartbeatFeed(connection, runIdValue(runId));
    if (after) {
      feed.gated = true;
      // Its error is its owner's to report (the journal awaits it before committing).
      after.then(
        () => (feed.gated = false),
        () => (feed.gated = false),
      );
    }
    return feed;
  }

  /** The first failed insert's error, if any: the rows queued since are not stored. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Queue rows `from … to` of `block` (at most one chunk: a block holds 2048) and start an insert if none runs. */
  push(block: HeartbeatBlock, from: number, to: number, release?: () => void): void {
    if (to <= from) {
      release?.();
      return;
    }
    this.queue.push({ block, from, to, ...(release ? { release } : {}) });
    this.start();
  }

  /**
   * After a heartbeat: now and then a turn of the event loop for DuckDB's requests, while an insert runs and has
   * something to take. With nothing queued, the scan's next request waits for the next block rather than ending
   * the scan: one statement takes block after block, and turns are not spent where there is nothing to serve.
   */
  pause(): Promise<void> | undefined {
    if ((++this.beats & (PAUSE_EVERY - 1)) !== 0) return undefined;
    if (!this.gated && (this.running === undefined || this.queue.length === 0)) return undefined;
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Until every queued row is in the table (of the connection's transaction); throws the insert's error if one failed. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  /** Forget the feed (after `drain`). */
  close(): void {
    removeSource(this.id);
  }

  /** The next queued rows into the scan's output chunk; an empty chunk ends the scan. */
  serve(output: DuckDBDataChunk): void {
    const rows = this.queue.shift();
    if (rows === undefined) {
      output.rowCount = 0;
      return;
    }
    fillHeartbeatChunk(output, this.runId, rows.block, rows.from, rows.to);
    rows.release?.();
  }

  private start(): void {
    if (this.running || this.failure || this.queue.length === 0) return;
    this.running = this.connection.run(`INSERT INTO heartbeats SELECT * FROM ${FUNCTION}(${this.id})`).then(
      () => this.settled(),
      (error: unknown) => this.settled(error),
    );
  }

  /** A statement on the connection ended: the next insert if it succeeded, else keep its error. */
  private settled(error?: unknown): void {
    this.running = undefined;
    if (error === undefined) this.start();
    else this.failure ??= error instanceof Error ? error : new Error(String(error));
  }
}
