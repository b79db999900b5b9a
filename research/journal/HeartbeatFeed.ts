import { DuckDBTableFunction, INTEGER, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import type { Store } from '../../data/index.ts';
import { fillHeartbeatChunk, HEARTBEAT_COLUMNS, runIdValue } from './heartbeatChunk.ts';
import type { HeartbeatBlock } from './HeartbeatBlock.ts';

/** The table function every store gets once; its one argument says which feed to read. */
const FUNCTION = 'xylen_heartbeat_feed';
/** Open feeds by id, for the table function's callbacks. */
const feeds = new Map<number, HeartbeatFeed>();
const storesWithFunction = new WeakSet<Store>();
let nextId = 1;
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
export class HeartbeatFeed {
  private readonly queue: Rows[] = [];
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  private beats = 0;

  private constructor(
    private readonly id: number,
    private readonly connection: DuckDBConnection,
    private readonly runId: ReturnType<typeof runIdValue>,
  ) {}

  /** A feed into `store`'s heartbeats table on `connection` (inside whatever transaction it has open). */
  static open(store: Store, connection: DuckDBConnection, runId: string): HeartbeatFeed {
    if (!storesWithFunction.has(store)) {
      connection.registerTableFunction(feedFunction());
      storesWithFunction.add(store);
    }
    const feed = new HeartbeatFeed(nextId++, connection, runIdValue(runId));
    feeds.set(feed.id, feed);
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

  /** After a heartbeat: while an insert runs, now and then a turn of the event loop for its chunk requests. */
  pause(): Promise<void> | undefined {
    if (this.running === undefined || (++this.beats & (PAUSE_EVERY - 1)) !== 0) return undefined;
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Until every queued row is in the table (of the connection's transaction); throws the insert's error if one failed. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  /** Forget the feed (after `drain`). */
  close(): void {
    feeds.delete(this.id);
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
      () => {
        this.running = undefined;
        this.start();
      },
      (error: unknown) => {
        this.running = undefined;
        this.failure = error instanceof Error ? error : new Error(String(error));
      },
    );
  }
}

/** `xylen_heartbeat_feed(id)`: the queued rows of feed `id`, in the `heartbeats` table's columns. */
function feedFunction(): DuckDBTableFunction {
  return DuckDBTableFunction.create({
    name: FUNCTION,
    parameterTypes: [INTEGER],
    bindFunction: (info) => {
      for (const [name, type] of HEARTBEAT_COLUMNS) info.addResultColumn(name, type);
      info.setBindData({ id: info.getParameter(0) as number });
    },
    initFunction: () => {},
    mainFunction: (info, output) => {
      const feed = feeds.get((info.bindData as { id: number }).id);
      if (feed === undefined) {
        output.rowCount = 0;
        return;
      }
      try {
        feed.serve(output);
      } catch (error) {
        info.setError(error instanceof Error ? error.message : String(error));
      }
    },
  });
}
