import type { Store } from '../Store.ts';

/** One row of the `imports` table as `xylen data ls --imports` shows it. */
export interface ImportLogEntry {
  id: number;
  importedAt: string;
  source: string;
  format: string;
  dataset: string;
  market: string | null;
  symbol: string | null;
  interval: string | null;
  status: string;
  rows: number;
  rowsAdded: number;
  message: string | null;
}

export interface ImportLog {
  /** Imports by status over the whole log ('imported', 'unchanged', 'rejected'). */
  totals: Record<string, number>;
  /** The latest `limit` imports, newest first. */
  recent: ImportLogEntry[];
  /** The latest `limit` rejected files, newest first, with the reason. */
  rejected: ImportLogEntry[];
}

/** A summary of the import log: what came in lately and which files were turned away, and why. */
export async function importLog(store: Store, limit = 10): Promise<ImportLog> {
  const totals = await store.all(`SELECT status, count(*) AS n FROM imports GROUP BY status ORDER BY status`);
  const select = (where: string) =>
    store.all(
      `SELECT id, strftime(imported_at, '%Y-%m-%d %H:%M:%SZ') AS imported_at, source, format, dataset, market, symbol, interval,
              status, rows, rows_added, message
       FROM imports ${where} ORDER BY id DESC LIMIT $1`,
      [limit],
    );
  return {
    totals: Object.fromEntries(totals.map((row) => [String(row['status']), Number(row['n'])])),
    recent: (await select('')).map(toEntry),
    rejected: (await select(`WHERE status = 'rejected'`)).map(toEntry),
  };
}

function toEntry(row: Record<string, unknown>): ImportLogEntry {
  const text = (value: unknown) => (value === null ? null : String(value));
  return {
    id: Number(row['id']),
    importedAt: String(row['imported_at']),
    source: String(row['source']),
    format: String(row['format']),
    dataset: String(row['dataset']),
    market: text(row['market']),
    symbol: text(row['symbol']),
    interval: text(row['interval']),
    status: String(row['status']),
    rows: Number(row['rows']),
    rowsAdded: Number(row['rows_added']),
    message: text(row['message']),
  };
}
