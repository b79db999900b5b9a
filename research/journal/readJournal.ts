import type { Store } from '../../data/index.ts';
import { invariantError, type HeartbeatRecord, type JournalRecord } from '../../engine/index.ts';
import { ACTION_CODES, OUTCOME_CODES } from './HeartbeatBlock.ts';
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
    const rows = await rowsOf(store, `SELECT seq::DOUBLE AS seq, ${table.columns.map(selectColumn).join(', ')} FROM ${table.table} WHERE run_id = $1`, [runId]);
    for (const row of rows) parts.push({ seq: row['seq'] as number, record: table.fromRow(row) });
  }
  for (const beat of await readHeartbeats(store, runId)) parts.push(beat);
  parts.sort((a, b) => a.seq - b.seq);
  parts.forEach((part, i) => {
    if (part.seq !== i) throw invariantError('JOURNAL_GAP', `the journal of ${runId} has no record ${i} (found ${part.seq}): the store is damaged`);
  });
  return parts.map((p) => p.record);
}

async function readHeartbeats(store: Store, runId: string): Promise<{ seq: number; record: HeartbeatRecord }[]> {
  const models = new Map<number, string>();
  for (const row of await rowsOf(store, `SELECT model_index::INTEGER AS i, model FROM run_models WHERE run_id = $1`, [runId])) models.set(row['i'] as number, row['model'] as string);
  // Features as the `snapshots` view resolves them (migration 8: inline, or the run's feature set by row), joined
  // here directly: reading them through the view joined back on seq made a year's read-back a third slower.
  const rows = await rowsOf(
    store,
    `SELECT h.seq::DOUBLE AS seq, h.ts::DOUBLE AS ts, h.row, close, equity, wallet, quantity, mark_price, action::INTEGER AS action, confidence,
       score_long, score_short, score_hold, outcome::INTEGER AS outcome, missing, detail, coalesce(h.features, f.features) AS features,
       list_transform(votes, v -> v.model::INTEGER) AS vote_model, list_transform(votes, v -> v.action::INTEGER) AS vote_action,
       list_transform(votes, v -> v.confidence) AS vote_confidence, list_transform(votes, v -> v.weight) AS vote_weight
     FROM heartbeats h
     LEFT JOIN runs r ON h.features IS NULL AND r.run_id = h.run_id
     LEFT JOIN feature_rows f ON f.set_id = r.feature_set AND f.row = h.row
     WHERE h.run_id = $1 ORDER BY h.seq`,
    [runId],
  );
  return rows.map((row: Row) => {
    const voteModel = row['vote_model'] as number[];
    const voteAction = row['vote_action'] as number[];
    const voteConfidence = row['vote_confidence'] as number[];
    const voteWeight = row['vote_weight'] as number[];
    const record: HeartbeatRecord = {
      type: 'heartbeat',
      ts: row['ts'] as number,
      row: row['row'] as number,
      close: row['close'] as number,
      features: Float64Array.from((row['features'] as number[] | null) ?? invalid(runId, `feature set row ${row['row']}`)),
      equity: row['equity'] as number,
      wallet: row['wallet'] as number,
      quantity: row['quantity'] as number,
      markPrice: row['mark_price'] as number,
      votes: voteModel.map((m, k) => ({
        model: models.get(m) ?? invalid(runId, `vote model index ${m}`),
        action: ACTION_CODES[voteAction[k]!] ?? invalid(runId, `action code ${voteAction[k]}`),
        confidence: voteConfidence[k]!,
        weight: voteWeight[k]!,
      })),
      action: ACTION_CODES[row['action'] as number] ?? invalid(runId, `action code ${row['action']}`),
      confidence: row['confidence'] as number,
      scores: { long: row['score_long'] as number, short: row['score_short'] as number, hold: row['score_hold'] as number },
      outcome: OUTCOME_CODES[row['outcome'] as number] ?? invalid(runId, `outcome code ${row['outcome']}`),
      ...(row['missing'] == null ? {} : { missing: String(row['missing']).split(',') }),
      ...(row['detail'] == null ? {} : { detail: row['detail'] as string }),
    };
    return { seq: row['seq'] as number, record };
  });
}

function invalid(runId: string, what: string): never {
  throw invariantError('JOURNAL_DAMAGED', `the journal of ${runId} holds an unknown ${what}: the store is damaged or newer than this Xylen`);
}


/** Rows as plain JS values (lists as arrays, numbers as numbers). */
async function rowsOf(store: Store, sql: string, params: string[]): Promise<Row[]> {
  return (await store.connection.runAndReadAll(sql, params)).getRowObjectsJS() as Row[];
}
