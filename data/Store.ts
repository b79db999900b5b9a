import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { inputError, operationalError } from '../engine/index.ts';
import { MIGRATIONS } from './migrations.ts';

export const DEFAULT_DB_PATH = './xylen.duckdb';

/**
 * Rows per row group in the store (DuckDB's default is 122,880). A write transaction compresses and writes each row
 * group as it fills, so with smaller ones a replay's journal is stored while the replay runs (research's
 * HeartbeatFeed) instead of all at its commit; 16,384 keeps scans of a year of candles as fast as before.
 */
const ROW_GROUP_SIZE = 16_384;
/** The name the store's file is attached under (every connection `USE`s it). */
const CATALOG = 'store';

export interface StoreOptions {
  /**
   * Open read-only. DuckDB allows one read-write process *or* many read-only ones per file, so
   * commands that only read (ls, export, replay loading) open read-only and can run side by side.
   */
  readOnly?: boolean;
}

/**
 * The embedded market-data store: one DuckDB file. `Store.open` creates the file when needed and
 * brings its schema up to date; readers never migrate (a read-only open of an old file is an error
 * that says to run a writing command once).
 */
export class Store {
  /** How many `singleThreaded` calls are running. */
  private singleThreadedWork = 0;

  private constructor(
    readonly path: string,
    readonly readOnly: boolean,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string = DEFAULT_DB_PATH, options: StoreOptions = {}): Promise<Store> {
    const readOnly = options.readOnly ?? false;
    // The file is attached rather than opened as the instance's own database: the row group size is an ATTACH
    // option. Bulk writes flush each row group as soon as it is full (the default buffers five).
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: `${path}.tmp`, write_buffer_row_group_count: '1' });
    const connection = await instance.connect();
    try {
      await connection.run(`ATTACH ${sqlString(path)} AS ${CATALOG} (ROW_GROUP_SIZE ${ROW_GROUP_SIZE}${readOnly ? ', READ_ONLY' : ''})`);
      await connection.run(`USE ${CATALOG}`);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw describeOpenError(path, readOnly, error);
    }
    const store = new Store(path, readOnly, instance, connection);
    try {
      await store.migrate();
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  /** The schema version this file is at (0 for a new, empty file). */
  async schemaVersion(): Promise<number> {
    const exists = await this.connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = 'main'`,
    );
    if ((exists.getRowObjects()[0]?.['n'] as number) === 0) return 0;
    const result = await this.connection.runAndReadAll(`SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_migrations`);
    return result.getRowObjects()[0]?.['v'] as number;
  }

  private async migrate(): Promise<void> {
    const current = await this.schemaVersion();
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    if (current > latest) {
      throw operationalError('STORE_TOO_NEW', `the store ${this.path} is at schema version ${current}, newer than this Xylen knows (${latest})`, {
        hint: 'upgrade Xylen, or point --db at another file',
      });
    }
    if (current === latest) return;
    if (this.readOnly) {
      throw operationalError('STORE_NEEDS_MIGRATION', `the store ${this.path} is at schema version ${current}; this Xylen needs ${latest}`, {
        hint: 'run `xylen data migrate` once to upgrade it',
      });
    }
    if (current === 0) {
      await this.connection.run(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await this.transaction(async () => {
        await this.connection.run(migration.sql);
        await this.connection.run(`INSERT INTO schema_migrations VALUES ($1, $2, now()::TIMESTAMP)`, [migration.version, migration.description]);
      });
    }
    // Schema changes go into the file now, not only the write-ahead log: DuckDB 1.5 cannot replay the journal views'
    // CREATE VIEW from the log (a process killed before its first checkpoint left a store that would not open).
    await this.connection.run('CHECKPOINT');
  }

  /** Another connection to the same database, e.g. for a writer that keeps its own transaction open; the caller closes it. */
  async connect(): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    await connection.run(`USE ${CATALOG}`);
    return connection;
  }

  /** Run `work` in a transaction: all of it is stored, or (on any error) none of it. */
  async transaction<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const result = await work(this.connection);
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }

  /**
   * Run `work` with DuckDB on one thread (`SET threads = 1`), back to DuckDB's default (one per core, which the store
   * never changes otherwise) when the last such work ends. For bulk inserts fed from this JavaScript thread (a
   * replay's journal): DuckDB runs a statement on the thread that started it and on its worker threads, and a thread
   * with none of the statement's tasks to run busy-waits for one. A feed's insert is one task, which waits on this
   * thread for every chunk; when a worker runs it, the starting thread spins (~0.23 s of a core over a year's
   * replay, taken from the replay on two cores). The setting is the database's: other queries meanwhile scan on one
   * thread too.
   */
  async singleThreaded<T>(work: () => Promise<T>): Promise<T> {
    const first = this.singleThreadedWork++ === 0;
    try {
      if (first) await this.connection.run('SET threads = 1');
      return await work();
    } finally {
      if (--this.singleThreadedWork === 0) await this.connection.run('RESET threads');
    }
  }

  /** Rows of a query as plain objects; BIGINT columns arrive as bigint. */
  async all(sql: string, params?: Parameters<DuckDBConnection['run']>[1]): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjects() as Record<string, unknown>[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A SQL string literal. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function describeOpenError(path: string, readOnly: boolean, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/lock/i.test(message)) {
    return operationalError('STORE_LOCKED', `the store ${path} is open for writing in another process`, {
      hint: 'DuckDB allows one writer per file: wait for that command to finish, or use another --db',
      cause: error,
    });
  }
  if (readOnly && /(does not exist|No such file|Cannot open)/i.test(message)) {
    return operationalError('STORE_MISSING', `no store at ${path}`, {
      hint: 'import data first (`xylen data import …` or `xylen data synth`), or pass --db / set XYLEN_DB',
      cause: error,
    });
  }
  if (/Is a directory|not a valid DuckDB database file/i.test(message)) {
    return inputError('STORE_NOT_DUCKDB', `${path} is not a store: ${/Is a directory/i.test(message) ? 'it is a directory' : 'it is a file, but not a DuckDB database'}`, {
      hint: 'point --db (or XYLEN_DB, or data.db in the config) at a Xylen store, or at a new file name to make one',
      cause: error,
    });
  }
  return operationalError('STORE_OPEN_FAILED', `cannot open the store ${path}: ${message}`, { cause: error });
}
