import { createHash, type Hash } from 'node:crypto';
import type { JournalRecord, JournalRecordType } from '../../engine/index.ts';
import { JOURNAL_TABLES, type Cell, type JournalTable } from './journalTables.ts';

/** Bytes are handed to the hash in blocks of this size: one native call per record costs more than the hashing. */
const BLOCK = 64 * 1024;

/** Tags that make the byte stream unambiguous: each cell says what it is before its bytes. */
const TAG = { null: 0, number: 1, string: 2, true: 3, false: 4, list: 5, row: 6 } as const;

/**
 * SHA-256 over the journal in order, one row per record: its type and its table row (the columns of journalTables.ts,
 * a fixed order, absent optional fields as null), written as tagged binary — numbers as their IEEE-754 bytes, strings
 * as UTF-8 with their length, lists with their length. A record and the same record read back from DuckDB give the
 * same row, so the same bytes; records carry no run id and no wall-clock time (see JournalRecord), so two identical
 * replays hash the same. Binary instead of JSON text: printing ~735k rows of doubles as text was a third of the cost
 * of writing a year-long journal.
 */
export class JournalHasher {
  private readonly hash: Hash = createHash('sha256');
  private readonly buffer = Buffer.allocUnsafe(BLOCK);
  private offset = 0;
  private count = 0;

  update(record: JournalRecord): void {
    this.updateRow(record.type, (JOURNAL_TABLES[record.type] as JournalTable).toRow(record));
  }

  /** For writers that have the row already (DuckDbJournal). */
  updateRow(type: JournalRecordType, cells: readonly Cell[]): void {
    this.tag(TAG.row);
    this.text(type);
    for (const cell of cells) this.cell(cell);
    this.count++;
  }

  get records(): number {
    return this.count;
  }

  /** Hex digest; the hasher cannot be updated afterwards. */
  digest(): string {
    this.drain();
    return this.hash.digest('hex');
  }

  private cell(cell: Cell): void {
    if (cell === null) this.tag(TAG.null);
    else if (typeof cell === 'number') {
      this.tag(TAG.number);
      this.number(cell);
    } else if (typeof cell === 'string') this.text(cell);
    else if (typeof cell === 'boolean') this.tag(cell ? TAG.true : TAG.false);
    else {
      this.tag(TAG.list);
      this.number(cell.length);
      for (const value of cell) this.number(value);
    }
  }

  private tag(tag: number): void {
    this.room(1);
    this.buffer[this.offset++] = tag;
  }

  private number(value: number): void {
    this.room(8);
    // -0 and 0 are one value to JSON and to DuckDB's read-back; NaN has many bit patterns.
    this.buffer.writeDoubleLE(value === 0 ? 0 : Number.isNaN(value) ? Number.NaN : value, this.offset);
    this.offset += 8;
  }

  private text(value: string): void {
    const bytes = Buffer.byteLength(value);
    this.tag(TAG.string);
    this.number(bytes);
    if (bytes > BLOCK) {
      this.drain();
      this.hash.update(value);
      return;
    }
    this.room(bytes);
    this.offset += this.buffer.write(value, this.offset);
  }

  private room(bytes: number): void {
    if (this.offset + bytes > BLOCK) this.drain();
  }

  private drain(): void {
    if (this.offset > 0) this.hash.update(this.buffer.subarray(0, this.offset));
    this.offset = 0;
  }
}

export function journalHash(records: Iterable<JournalRecord>): string {
  const hasher = new JournalHasher();
  for (const record of records) hasher.update(record);
  return hasher.digest();
}
