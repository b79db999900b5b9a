import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store } from '../../data/index.ts';
import { JOURNAL_TABLE_LIST, type ColumnSpec, type JournalTable } from './journalTables.ts';
import { getRun } from './storedRuns.ts';

export interface ExportedTable {
  table: string;
  file: string;
  rows: number;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Times as readable UTC (`2024-01-01 00:05:00`); `ts` keeps its raw Unix ms beside `time` for joins. */
const readable = (c: ColumnSpec, alias = '') => (c.time ? `epoch_ms(${alias}${c.name}) AS ${c.name === 'ts' ? 'time' : c.name}` : `${alias}${c.name}`);

/**
 * The human-readable audit trail of a run: one CSV per journal table in `dir` (created if needed), rows in journal
 * order, with a header. decisions.csv also carries every model's vote at that decision (action, confidence and the
 * weight the ensemble gave it), one column group per model, so a decision reads on one line.
 */
export async function exportRunCsv(store: Store, runId: string, dir: string): Promise<ExportedTable[]> {
  await getRun(store, runId);
  mkdirSync(dir, { recursive: true });
  const exported: ExportedTable[] = [];
  for (const table of JOURNAL_TABLE_LIST) {
    const file = resolve(join(dir, `${table.table}.csv`));
    const query = table.type === 'decision' ? await decisionsWithVotes(store, runId, table) : plainQuery(runId, table);
    await store.connection.run(`COPY (${query}) TO ${quoteText(file)} (FORMAT csv, HEADER true)`);
    const rows = await store.all(`SELECT count(*)::INTEGER AS n FROM ${table.table} WHERE run_id = $1`, [runId]);
    exported.push({ table: table.table, file, rows: rows[0]!['n'] as number });
  }
  return exported;
}

function plainQuery(runId: string, table: JournalTable): string {
  const columns = table.columns.map((c) => readable(c)).join(', ');
  return `SELECT seq, ${columns}, ts FROM ${table.table} WHERE run_id = ${quoteText(runId)} ORDER BY seq`;
}

async function decisionsWithVotes(store: Store, runId: string, table: JournalTable): Promise<string> {
  const models = (await store.all(`SELECT DISTINCT model FROM predictions WHERE run_id = $1 ORDER BY model`, [runId])).map((r) => r['model'] as string);
  const votes = models.flatMap((m) =>
    ['action', 'confidence', 'weight'].map((field) => `any_value(p.${field}) FILTER (WHERE p.model = ${quoteText(m)}) AS ${quoteIdent(`${m}_${field}`)}`),
  );
  const columns = table.columns.map((c) => readable(c, 'd.')).join(', ');
  return `SELECT d.seq, ${columns}, d.ts${votes.map((v) => `, ${v}`).join('')}
    FROM decisions d LEFT JOIN predictions p ON p.run_id = d.run_id AND p.ts = d.ts AND p.row = d.row
    WHERE d.run_id = ${quoteText(runId)}
    GROUP BY ALL ORDER BY d.seq`;
}
