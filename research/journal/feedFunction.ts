import { DuckDBTableFunction, INTEGER, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import type { Store } from '../../data/index.ts';

/** A source of rows in JavaScript that a table function scan reads, one chunk per call. */
export interface ChunkSource {
  /** Fill the next rows into the scan's output chunk; a chunk of 0 rows ends the scan. */
  serve(output: DuckDBDataChunk): void;
}

/** Names registered so far, per store. */
const registered = new WeakMap<Store, Set<string>>();
/** Open sources by id, for the table functions' callbacks (one numbering for every feed function). */
const sources = new Map<number, ChunkSource>();
let nextId = 1;

/** Make `source` readable as `name(id)` for whichever feed function it serves; `removeSource` once it is done. */
export function addSource(source: ChunkSource): number {
  const id = nextId++;
  sources.set(id, source);
  return id;
}

export function removeSource(id: number): void {
  sources.delete(id);
}

/**
 * Make table function `name(id)` known to the store's database once: a scan of source `id` (`addSource`) with the
 * given columns, which DuckDB runs on its own thread while it asks this thread for each chunk (the journal's feeds).
 * A source that is gone ends the scan; an error it throws fails the statement.
 *
 * The catalog is transactional: a function registered inside a journal's open transaction is not seen by another
 * journal's connection until that transaction commits (two journals open at once), and one registered after a
 * transaction began is not seen by that transaction. So it is registered on a connection of its own, committed at
 * once, before any transaction that uses it begins. DuckDB cannot unregister it: one catalog entry per store and
 * process.
 */
export async function registerFeedFunction(
  store: Store,
  name: string,
  columns: readonly (readonly [string, DuckDBType])[],
): Promise<void> {
  let names = registered.get(store);
  if (!names) registered.set(store, (names = new Set()));
  if (names.has(name)) return;
  names.add(name);
  const connection = await store.connect();
  try {
    connection.registerTableFunction(feedFunction(name, columns));
  } catch (error) {
    names.delete(name);
    throw error;
  } finally {
    connection.closeSync();
  }
}

function feedFunction(name: string, columns: readonly (readonly [string, DuckDBType])[]): DuckDBTableFunction {
  return DuckDBTableFunction.create({
    name,
    parameterTypes: [INTEGER],
    bindFunction: (info) => {
      for (const [column, type] of columns) info.addResultColumn(column, type);
      info.setBindData({ id: info.getParameter(0) as number });
    },
    initFunction: () => {},
    mainFunction: (info, output) => {
      const source = sources.get((info.bindData as { id: number }).id);
      if (source === undefined) {
        output.rowCount = 0;
        return;
      }
      try {
        source.serve(output);
      } catch (error) {
        info.setError(error instanceof Error ? error.message : String(error));
      }
    },
  });
}
