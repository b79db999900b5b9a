import { BIGINT, DOUBLE, INTEGER, LIST, listValue, VARCHAR, type DuckDBDataChunk } from '@duckdb/node-api';
import { timestampText, type Store } from '../../data/index.ts';
import type { FeatureMatrix } from '../../engine/index.ts';
import { addSource, registerFeedFunction, removeSource, type ChunkSource } from './feedFunction.ts';
import { bigintVector, CHUNK_ROWS, constantVector, copyVector, fixedListVector, varcharValue, vectorOf, type RawValue } from './chunkVectors.ts';

const FUNCTION = 'xylen_feature_rows';
const COLUMNS = [
  ['set_id', VARCHAR],
  ['row', INTEGER],
  ['ts', BIGINT],
  ['features', LIST(DOUBLE)],
] as const;
/** Sets being written by an open journal of this process (not yet committed), per store. */
const writing = new WeakMap<Store, Set<string>>();

/** What a journal may do with a feature set: refer to it (stored), write it (claimed), or store features inline (busy). */
export type FeatureSetClaim = 'stored' | 'claimed' | 'busy';

/**
 * A feature matrix into the `feature_sets` and `feature_rows` tables, in a transaction of its own on a connection of
 * its own, committed as soon as the rows are in: while the replay that claimed the set runs on, rather than in the
 * journal's final commit, where writing the set's ~20 MB of rows to the log was most of what a period's first run
 * cost more than a re-run. Like the heartbeat feed, `INSERT INTO feature_rows SELECT * FROM xylen_feature_rows(id)`
 * runs on DuckDB's thread and asks this thread for one chunk of 2048 rows at a time (the replay's `pause` answers).
 * The matrix's memory goes into DuckDB's vectors as it is: a journal stores sets of canonical matrices only (no −0,
 * one NaN), whose values read back bit for bit.
 *
 * A set is content-addressed, so a set committed for a run that then fails stays, correct, for the next run of the
 * period (and `deleteRuns` removes it with the last run that refers to it).
 */
export class FeatureSetFeed implements ChunkSource {
  /** Settles when the set's rows are in the table (of the set's transaction, not yet committed). */
  readonly inserted: Promise<void>;
  /** Settles when the set's transaction has committed (or, on an error, rolled back): the claim has ended then. */
  readonly committed: Promise<void>;
  private next = 0;
  private readonly setId: RawValue;
  private readonly rowNumbers = new Int32Array(CHUNK_ROWS);
  /** The matrix's values, copied into DuckDB's vectors as they are (canonical: the journal checked). */
  private readonly values: Float64Array<ArrayBuffer>;

  private constructor(
    store: Store,
    setId: string,
    private readonly matrix: FeatureMatrix,
    createdAt: Date,
  ) {
    this.setId = varcharValue(setId);
    const { values } = matrix;
    this.values = values.buffer instanceof ArrayBuffer ? (values as Float64Array<ArrayBuffer>) : new Float64Array(values);
    const id = addSource(this);
    const connecting = store.connect();
    const inserted = (async () => {
      try {
        const connection = await connecting;
        await connection.run('BEGIN TRANSACTION');
        await connection.run(`INSERT INTO feature_sets VALUES ($1, $2, $3, $4::TIMESTAMP)`, [
          setId,
          listValue([...matrix.names]),
          matrix.rows,
          timestampText(createdAt),
        ]);
        await connection.run(`INSERT INTO feature_rows SELECT * FROM ${FUNCTION}(${id})`);
      } finally {
        removeSource(id);
      }
    })();
    this.inserted = inserted;
    this.committed = (async () => {
      try {
        const connection = await connecting;
        try {
          await inserted;
          await connection.run('COMMIT');
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined); // nothing to roll back when BEGIN itself failed
          throw error;
        } finally {
          connection.closeSync();
        }
      } finally {
        FeatureSetFeed.release(store, setId);
      }
    })();
    // Their errors reach whoever awaits them (the journal); they must not count as unhandled meanwhile.
    this.inserted.catch(() => undefined);
    this.committed.catch(() => undefined);
  }

  /**
   * Whether a journal of `store` may refer to set `setId`: 'stored' when it is committed there, 'claimed' when this
   * journal is now the one to write it (`start`, whose feed ends the claim; `release` if it never starts), 'busy' when
   * another journal of this process is writing it (store the features inline then).
   */
  static async claim(store: Store, setId: string): Promise<FeatureSetClaim> {
    const found = await store.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM feature_sets WHERE set_id = $1`, [setId]);
    if ((found.getRowObjects()[0]?.['n'] as number) > 0) return 'stored';
    let sets = writing.get(store);
    if (!sets) writing.set(store, (sets = new Set()));
    if (sets.has(setId)) return 'busy';
    sets.add(setId);
    return 'claimed';
  }

  /** End a claim: the set is committed, or will never be by this claimant. */
  static release(store: Store, setId: string): void {
    writing.get(store)?.delete(setId);
  }

  /** Make the feed's table function known to `store`'s database: before the journal's transaction begins, which would not see it. */
  static register(store: Store): Promise<void> {
    return registerFeedFunction(store, FUNCTION, COLUMNS);
  }

  /** Start storing `matrix` as set `setId`, claimed by the caller (`claim`; `register` first). The claim ends with `committed`. */
  static start(store: Store, setId: string, matrix: FeatureMatrix, createdAt: Date): FeatureSetFeed {
    return new FeatureSetFeed(store, setId, matrix, createdAt);
  }

  /** The next rows into the scan's output chunk; an empty chunk ends the scan. */
  serve(output: DuckDBDataChunk): void {
    const { matrix } = this;
    const from = this.next;
    const n = Math.min(CHUNK_ROWS, matrix.rows - from);
    output.rowCount = Math.max(0, n);
    if (n <= 0) return;
    this.next += n;
    for (let i = 0; i < n; i++) this.rowNumbers[i] = from + i;
    constantVector(vectorOf(output, 0), this.setId);
    copyVector(vectorOf(output, 1), this.rowNumbers, 0, n);
    bigintVector(vectorOf(output, 2), matrix.time, from, n);
    fixedListVector(vectorOf(output, 3), matrix.width, this.values, from, n);
  }
}
