import { join, resolve } from 'node:path';
import { makeOutputDir, type Store } from '../../data/index.ts';
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
 * order, with a header. `decisions.csv` has one line per heartbeat: the account, the aggregate, the outcome and every
 * model's vote (action, confidence and the weight the ensemble gave it, a column group per model); `features.csv`
 * has the feature row each decision was made on, a column per feature.
 */
export async function exportRunCsv(store: Store, runId: string, dir: string): Promise<ExportedTable[]> {
  const run = await getRun(store, runId);
  makeOutputDir(dir, '--csv');
  const exported: ExportedTable[] = [];
  const write = async (table: string, query: string) => {
    const file = resolve(join(dir, `${table}.csv`));
    await store.connection.run(`COPY (${query}) TO ${quoteText(file)} (FORMAT csv, HEADER true)`);
    const rows = await store.all(`SELECT count(*)::INTEGER AS n FROM (${query})`);
    exported.push({ table, file, rows: rows[0]!['n'] as number });
  };
  await write('decisions', await decisionsWithVotes(store, runId));
  await write('features', await featureColumns(store, runId, run.manifest.data.features));
  for (const table of JOURNAL_TABLE_LIST) {
    // Equity marks are exported with the heartbeats' equity, as the whole curve (the `equity` view).
    if (table.type === 'equity') await write('equity', plainQuery(runId, { ...table, table: 'equity' }));
    else await write(table.table, plainQuery(runId, table));
  }
  return exported;
}

function plainQuery(runId: string, table: JournalTable): string {
  const columns = table.columns.map((c) => readable(c)).join(', ');
  return `SELECT seq, ${columns}, ts FROM ${table.table} WHERE run_id = ${quoteText(runId)} ORDER BY seq`;
}

async function decisionsWithVotes(store: Store, runId: string): Promise<string> {
  const models = (await store.all(`SELECT model FROM run_models WHERE run_id = $1 ORDER BY model`, [runId])).map((r) => r['model'] as string);
  const votes = models.flatMap((m) =>
    ['action', 'confidence', 'weight'].map((field) => `any_value(p.${field}) FILTER (WHERE p.model = ${quoteText(m)}) AS ${quoteIdent(`${m}_${field}`)}`),
  );
  return `SELECT d.seq, epoch_ms(d.ts) AS time, d.row, h.close, h.equity, h.wallet, h.quantity, h.mark_price,
      d.action, d.confidence, d.score_long, d.score_short, d.score_hold, d.answered, d.missing, d.outcome, d.detail, d.ts${votes.map((v) => `, ${v}`).join('')}
    FROM decisions d JOIN heartbeats h ON h.run_id = d.run_id AND h.seq = d.seq
    LEFT JOIN predictions p ON p.run_id = d.run_id AND p.seq = d.seq
    WHERE d.run_id = ${quoteText(runId)}
    GROUP BY ALL ORDER BY d.seq`;
}

/** One column per feature, named as the run's manifest names them (f0, f1, … for runs stored before it did). */
async function featureColumns(store: Store, runId: string, names: readonly string[] | undefined): Promise<string> {
  const width = (await store.all(`SELECT coalesce(max(len(features)), 0)::INTEGER AS w FROM snapshots WHERE run_id = $1`, [runId]))[0]!['w'] as number;
  const columns = Array.from({ length: width }, (_, k) => `features[${k + 1}] AS ${quoteIdent(names?.[k] ?? `f${k}`)}`);
  return `SELECT seq, epoch_ms(ts) AS time, row${columns.map((c) => `, ${c}`).join('')}, ts FROM snapshots WHERE run_id = ${quoteText(runId)} ORDER BY seq`;
}
