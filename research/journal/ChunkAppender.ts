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
 * whole chunks is what makes a year-long journal write in about a second. Rows are buffered by column in JS until
 * `flushToTable` or `close`, and nothing touches the connection before then: `append` is synchronous (the engine's
 * `Journal.record` calls it) and safe while the connection runs a statement on DuckDB's thread (HeartbeatFeed).
 */
export class ChunkAppender {
  private readonly buffers: Cell[][];
  private readonly chunk: DuckDBDataChunk;

  private constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly ColumnType[],
  ) {
    this.buffers = types.map(() => []);
    this.chunk = DuckDBDataChunk.create(types.map((t) => DUCKDB_TYPES[t]));
  }

  static async open(connection: DuckDBConnection, table: string, types: readonly ColumnType[]): Promise<ChunkAppender> {
    return new ChunkAppender(await connection.createAppender(table), types);
  }

  /** One row, values in column order; null for NULL. Nothing of `cells` is kept by reference. */
  append(cells: readonly Cell[]): void {
    for (let c = 0; c < this.types.length; c++) this.buffers[c]!.push(cells[c] ?? null);
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

  /** The buffered rows to DuckDB's appender, a chunk at a time. */
  private flush(): void {
    const rows = this.buffers[0]?.length ?? 0;
    for (let first = 0; first < rows; first += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - first);
      this.chunk.reset();
      this.chunk.rowCount = n;
      for (let c = 0; c < this.types.length; c++) {
        const vector = this.chunk.getColumnVector(c);
        const buffer = this.buffers[c]!;
        const type = this.types[c]!;
        for (let r = 0; r < n; r++) vector.setItem(r, toDuckDb(type, buffer[first + r]!));
        vector.flush();
      }
      this.appender.appendDataChunk(this.chunk);
    }
    for (const buffer of this.buffers) buffer.length = 0;
  }
}

function toDuckDb(type: ColumnType, cell: Cell): DuckDBValue {
  if (cell === null) return null;
  if (type === 'BIGINT') return BigInt(cell as number);
  return cell as DuckDBValue;
}
