import { createHash, type Hash } from 'node:crypto';
import type { JournalRecord, JournalRecordType } from '../../engine/index.ts';
import { JOURNAL_TABLES, type Cell, type JournalTable } from './journalTables.ts';

/** Text is handed to the hash in blocks of about this many characters: one native call per record costs more than the hashing. */
const BLOCK = 64 * 1024;

/**
 * SHA-256 over the journal in order, one line per record: its type and its table row (the columns of
 * journalTables.ts, a fixed order, with absent optional fields as null), as JSON — `"fill"[1704067260000,…]`.
 * Numbers print via JSON.stringify, the shortest text that reads back to the same double. A record and the same
 * record read back from DuckDB give the same row, so the same line; records carry no run id and no wall-clock time
 * (see JournalRecord), so two identical replays hash the same. This is ~3× faster than hashing sorted-key JSON of
 * the records, which matters at ~735k records a year-long replay.
 */
export class JournalHasher {
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  private count = 0;

  update(record: JournalRecord): void {
    this.updateRow(record.type, (JOURNAL_TABLES[record.type] as JournalTable).toRow(record));
  }

  /** For writers that have the row already (DuckDbJournal). */
  updateRow(type: JournalRecordType, cells: readonly Cell[]): void {
    this.pending += `${JSON.stringify(type)}${JSON.stringify(cells)}\n`;
    this.count++;
    if (this.pending.length >= BLOCK) {
      this.hash.update(this.pending);
      this.pending = '';
    }
  }

  get records(): number {
    return this.count;
  }

  /** Hex digest; the hasher cannot be updated afterwards. */
  digest(): string {
    this.hash.update(this.pending);
    this.pending = '';
    return this.hash.digest('hex');
  }
}

export function journalHash(records: Iterable<JournalRecord>): string {
  const hasher = new JournalHasher();
  for (const record of records) hasher.update(record);
  return hasher.digest();
}
