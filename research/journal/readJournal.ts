import type { Store } from '../../data/index.ts';
import { invariantError, type JournalRecord } from '../../engine/index.ts';
import { JOURNAL_TABLE_LIST, type ColumnSpec, type Row } from './journalTables.ts';

/** A column as read back: BIGINT cast to DOUBLE so that it arrives as a number (every stored one is < 2^53). */
export const selectColumn = (c: ColumnSpec): string => (c.type === 'BIGINT' ? `${c.name}::DOUBLE AS ${c.name}` : c.name);

/**
 * A stored journal, read back as the records the engine wrote, in their original order (by seq across all
 * tables). `journalHash(await readJournal(store, id))` equals the hash stored when the run finished.
 */
export async function readJournal(store: Store, runId: string): Promise<JournalRecord[]> {
  const parts: { seq: number; record: JournalRecord }[] = [];
  for (const table of JOURNAL_TABLE_LIST) {
    const reader = await store.connection.runAndReadAll(
      `SELECT seq::DOUBLE AS seq, ${table.columns.map(selectColumn).join(', ')} FROM ${table.table} WHERE run_id = $1`,
      [runId],
    );
    for (const row of reader.getRowObjectsJS() as Row[]) parts.push({ seq: row['seq'] as number, record: table.fromRow(row) });
  }
  parts.sort((a, b) => a.seq - b.seq);
  parts.forEach((part, i) => {
    if (part.seq !== i) throw invariantError('JOURNAL_GAP', `the journal of ${runId} has no record ${i} (found ${part.seq}): the store is damaged`);
  });
  return parts.map((p) => p.record);
}
