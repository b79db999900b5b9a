import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  INTEGER,
  UTINYINT,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Cell, ColumnType } from './journalTables.ts';

const DUCKDB_TYPES: Record<ColumnType, DuckDBType> = {
  BIGINT,
  INTEGER,
  UTINYINT,
  DOUBLE,
  VARCHAR,
  BOOLEAN,
};

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

/**
 * Rows into one table through a DuckDB appender, a data chunk at a time. Appending value by value costs a native
 * call per value (and a list column that way is ~25× slower); filling a chunk's vectors in JS and handing DuckDB
 * whole chunks is what makes a year-long journal write in about a second. Rows are buffered by column until a
 * chunk is full; `append` is synchronous, so the engine's `Journal.record` can call it.
 */
export class ChunkAppender {
  private readonly buffers: Cell[][];
  private rows = 0;
  private readonly chunk: DuckDBDataChunk;

  private constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly ColumnType[],
  ) {
    this.buffers = types.map(() => new Array<Cell>(CHUNK_ROWS));
    this.chunk = DuckDBDataChunk.create(types.map((t) => DUCKDB_TYPES[t]));
  }

  static async open(connection: DuckDBConnection, table: string, types: readonly ColumnType[]): Promise<ChunkAppender> {
    return new ChunkAppender(await connection.createAppender(table), types);
  }

  /** One row, values in column order; null for NULL. Nothing of `cells` is kept by reference. */
  append(cells: readonly Cell[]): void {
    const row = this.rows;
    for (let c = 0; c < this.types.length; c++) this.buffers[c]![row] = cells[c] ?? null;
    if (++this.rows === CHUNK_ROWS) this.flush();
  }

  /** Hand the buffered rows to DuckDB. */
  flush(): void {
    if (this.rows === 0) return;
    this.chunk.reset();
    this.chunk.rowCount = this.rows;
    for (let c = 0; c < this.types.length; c++) {
      const vector = this.chunk.getColumnVector(c);
      const buffer = this.buffers[c]!;
      const type = this.types[c]!;
      for (let r = 0; r < this.rows; r++) vector.setItem(r, toDuckDb(type, buffer[r]!));
      vector.flush();
    }
    this.appender.appendDataChunk(this.chunk);
    this.rows = 0;
  }

  /** Hand every buffered row to the table (inside the connection's transaction, if one is open). */
  flushToTable(): void {
    this.flush();
    this.appender.flushSync();
  }

  /** Flush what is left and make the rows durable in the table. */
  close(): void {
    this.flush();
    this.appender.closeSync();
  }
}

function toDuckDb(type: ColumnType, cell: Cell): DuckDBValue {
  if (cell === null) return null;
  if (type === 'BIGINT') return BigInt(cell as number);
  return cell as DuckDBValue;
}
