import { createHash, type Hash } from 'node:crypto';
import { canonicalNumber, type JournalRecord } from '../../engine/index.ts';
import { HeartbeatBlock, VoteModels } from './HeartbeatBlock.ts';
import { JOURNAL_TABLES, type Cell, type JournalTable, type RowRecordType } from './journalTables.ts';

/** Bytes are handed to the hash in blocks of this size: one native call per record costs more than the hashing. */
const BLOCK = 64 * 1024;

/** Tags that make the byte stream unambiguous: each cell says what it is before its bytes. */
const TAG = { null: 0, number: 1, string: 2, true: 3, false: 4, row: 6 } as const;

/**
 * SHA-256 over a journal, in a form that reads the same from the engine's records and from the store:
 * - rows of the one-row-per-record tables (orders, fills, …) in order, each as its seq, type and table row (the
 *   columns of journalTables.ts, absent optional fields as null) in tagged binary — numbers as their IEEE-754
 *   bytes, strings as UTF-8 with their length;
 * - heartbeats a block of 2048 at a time, as the block's column bytes (HeartbeatBlock.chunks), seq included;
 * - the names of the run's voting models, in the order their indices were given.
 * The final digest is SHA-256 over the three parts' digests. Records carry no run id and no wall-clock time (see
 * JournalRecord), so two identical replays hash the same. Binary and columnar instead of JSON text: printing a
 * year of rows as text cost more than storing them.
 */
export class JournalHasher {
  private readonly rowsHash: Hash = createHash('sha256');
  private readonly beatsHash: Hash = createHash('sha256');
  private readonly buffer = Buffer.allocUnsafe(BLOCK);
  private offset = 0;
  private count = 0;
  /** For `update`: heartbeats are gathered here and hashed a block at a time, as a DuckDbJournal does. */
  private ownModels: VoteModels | undefined;
  private ownBlock: HeartbeatBlock | undefined;

  /** Hash one record, numbering records in arrival order. */
  update(record: JournalRecord): void {
    const seq = this.count;
    if (record.type === 'heartbeat') {
      this.ownModels ??= new VoteModels();
      this.ownBlock ??= new HeartbeatBlock(this.ownModels);
      this.ownBlock.add(seq, record);
      this.count++;
      if (this.ownBlock.full) {
        this.updateHeartbeats(this.ownBlock, false);
        this.ownBlock.clear();
      }
      return;
    }
    this.updateRow(seq, record.type, (JOURNAL_TABLES[record.type] as JournalTable).toRow(record));
  }

  /** For writers that have the row already (DuckDbJournal). */
  updateRow(seq: number, type: RowRecordType, cells: readonly Cell[]): void {
    this.tag(TAG.row);
    this.number(seq);
    this.text(type);
    for (const cell of cells) this.cell(cell);
    this.count++;
  }

  /** A whole block of heartbeats, or a run's last one (DuckDbJournal calls it as each fills; `counted` if it numbered them). */
  updateHeartbeats(block: HeartbeatBlock, counted = true): void {
    for (const bytes of block.chunks()) this.beatsHash.update(bytes);
    if (counted) this.count += block.rows;
  }

  get records(): number {
    return this.count;
  }

  /** Hex digest, given the run's voting models in index order; the hasher cannot be updated afterwards. */
  digest(models: readonly string[] = this.ownModels?.names ?? []): string {
    if (this.ownBlock && this.ownBlock.rows > 0) {
      this.updateHeartbeats(this.ownBlock, false);
      this.ownBlock.clear();
    }
    this.drain();
    const all = createHash('sha256');
    all.update(this.rowsHash.digest());
    all.update(this.beatsHash.digest());
    all.update(JSON.stringify(models));
    return all.digest('hex');
  }

  private cell(cell: Cell): void {
    if (cell === null) this.tag(TAG.null);
    else if (typeof cell === 'number') {
      this.tag(TAG.number);
      this.number(cell);
    } else if (typeof cell === 'string') this.text(cell);
    else this.tag(cell ? TAG.true : TAG.false);
  }

  private tag(tag: number): void {
    this.room(1);
    this.buffer[this.offset++] = tag;
  }

  private number(value: number): void {
    this.room(8);
    // -0 and 0 are one value to JSON and to DuckDB's read-back; NaN has many bit patterns.
    this.buffer.writeDoubleLE(canonicalNumber(value), this.offset);
    this.offset += 8;
  }

  private text(value: string): void {
    const bytes = Buffer.byteLength(value);
    this.tag(TAG.string);
    this.number(bytes);
    if (bytes > BLOCK) {
      this.drain();
      this.rowsHash.update(value);
      return;
    }
    this.room(bytes);
    this.offset += this.buffer.write(value, this.offset);
  }

  private room(bytes: number): void {
    if (this.offset + bytes > BLOCK) this.drain();
  }

  private drain(): void {
    if (this.offset > 0) this.rowsHash.update(this.buffer.subarray(0, this.offset));
    this.offset = 0;
  }
}

export function journalHash(records: Iterable<JournalRecord>): string {
  const hasher = new JournalHasher();
  for (const record of records) hasher.update(record);
  return hasher.digest();
}
