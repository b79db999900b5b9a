import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../Store.ts';
import { MAX_PROBLEMS, type FileImportResult, type ImportProblem } from './ImportResult.ts';
import { STAGE_COLUMNS, dropStage, timeColumn, type ImportTarget, type Stage } from './Stage.ts';
import { validateStage } from './validateStage.ts';

const seriesColumns = (target: ImportTarget) => (target.dataset === 'funding_rates' ? ['market', 'symbol'] : ['market', 'symbol', 'interval']);
const seriesValues = (target: ImportTarget) => (target.dataset === 'funding_rates' ? [target.market, target.symbol] : [target.market, target.symbol, target.interval!]);

/** The result of an input already imported with the same bytes into the same series, if any. */
export async function findUnchanged(store: Store, target: ImportTarget, checksum: string): Promise<FileImportResult | undefined> {
  const [row] = await store.all(
    `SELECT rows::DOUBLE AS rows, first_time::DOUBLE AS first_time, last_time::DOUBLE AS last_time FROM imports
     WHERE checksum = $1 AND status = 'imported' AND dataset = $2 AND market = $3 AND symbol = $4 AND interval IS NOT DISTINCT FROM $5
     ORDER BY id DESC LIMIT 1`,
    [checksum, target.dataset, target.market, target.symbol, target.interval ?? null],
  );
  if (!row) return undefined;
  return {
    ...resultBase(target, 'unchanged'),
    rows: row['rows'] as number,
    ...(row['first_time'] === null ? {} : { firstTime: row['first_time'] as number, lastTime: row['last_time'] as number }),
  };
}

/**
 * Validate a stage and merge it into its table, atomically per input: either every row is valid
 * and agrees with what is stored (then the new ones are added), or nothing is written and the
 * input is recorded as rejected with its problems. The stage is dropped either way.
 */
export async function importStage(store: Store, stage: Stage, checksum: string): Promise<FileImportResult> {
  try {
    const validation = await validateStage(store.connection, stage);
    const range = validation.firstTime === undefined ? {} : { firstTime: validation.firstTime, lastTime: validation.lastTime! };
    if (validation.problems.length > 0) {
      return await reject(store, stage, checksum, validation.rows, withRowLabels(stage, validation.problems));
    }
    const notes =
      validation.identicalDuplicates > 0
        ? [`${validation.identicalDuplicates} row(s) repeating the row before them exactly were collapsed (first at ${stage.lineKind} ${validation.firstDuplicateLine})`]
        : [];
    const merged = await store.transaction(async (connection) => {
      // A series with nothing stored in the file's time range (the usual bulk load) needs neither
      // the conflict check nor the anti-join: both cost a join over every row.
      const overlaps = await storedRowsBetween(connection, stage.target, validation.firstTime!, validation.lastTime!);
      const conflicts = overlaps ? await findConflicts(connection, stage) : [];
      if (conflicts.length > 0) return { conflicts, result: undefined };
      const rowsAdded = await insertNew(connection, stage, { collapseRepeats: validation.identicalDuplicates > 0, skipStored: overlaps });
      const result: FileImportResult = { ...resultBase(stage.target, 'imported'), rows: validation.rows, rowsAdded, ...range, notes };
      await recordImport(connection, result, checksum);
      return { conflicts, result };
    });
    return merged.result ?? (await reject(store, stage, checksum, validation.rows, withRowLabels(stage, merged.conflicts)));
  } finally {
    await dropStage(store.connection, stage);
  }
}

/** Stored rows whose key the stage has too but with other values: the input contradicts the store. */
async function findConflicts(connection: DuckDBConnection, stage: Stage): Promise<ImportProblem[]> {
  const { target } = stage;
  const time = timeColumn(target.dataset);
  const [required, optional] = splitColumns(stage);
  const keyMatch = [...seriesColumns(target).map((c, i) => `t.${c} = $${i + 1}`), `t.${time} = s.${time}`].join(' AND ');
  // Optional columns (trade counts, quote volume) conflict only when both sides have them.
  const differs = [
    `(${required.map((c) => `s.${c}`).join(', ')}) IS DISTINCT FROM (${required.map((c) => `t.${c}`).join(', ')})`,
    ...optional.map((c) => `coalesce(s.${c} <> t.${c}, false)`),
  ].join(' OR ');
  const listed = (side: string) => required.map((c) => `${side}.${c}::VARCHAR`).join(` || ',' || `);
  const reader = await connection.runAndReadAll(
    `SELECT (s.rowid + ${stage.firstLine})::DOUBLE AS line,
            'conflicts with the stored row at ' || strftime(epoch_ms(s.${time}), '%Y-%m-%d %H:%M:%S') || 'Z: stored ${required.join(',')} = '
              || ${listed('t')} || ', this input has ' || ${listed('s')} AS message
     FROM ${stage.table} s JOIN ${target.dataset} t ON ${keyMatch}
     WHERE ${differs} ORDER BY line LIMIT ${MAX_PROBLEMS}`,
    seriesValues(target),
  );
  return reader.getRowObjects().map((row) => ({ line: row['line'] as number, message: row['message'] as string }));
}

/** [the value columns that must match, the optional ones]. */
function splitColumns(stage: Stage): [string[], string[]] {
  const values = STAGE_COLUMNS[stage.target.dataset].slice(1);
  const optional = new Set(['quote_volume', 'trades', 'taker_buy_base', 'taker_buy_quote', 'mark_price']);
  return [values.filter((c) => !optional.has(c)), values.filter((c) => optional.has(c))];
}

async function storedRowsBetween(connection: DuckDBConnection, target: ImportTarget, first: number, last: number): Promise<boolean> {
  const time = timeColumn(target.dataset);
  const series = seriesColumns(target).map((c, i) => `${c} = $${i + 1}`);
  const n = series.length;
  const reader = await connection.runAndReadAll(
    `SELECT 1 FROM ${target.dataset} WHERE ${series.join(' AND ')} AND ${time} BETWEEN $${n + 1} AND $${n + 2} LIMIT 1`,
    [...seriesValues(target), first, last],
  );
  return reader.currentRowCount > 0;
}

async function insertNew(connection: DuckDBConnection, stage: Stage, how: { collapseRepeats: boolean; skipStored: boolean }): Promise<number> {
  const { target } = stage;
  const time = timeColumn(target.dataset);
  const columns = STAGE_COLUMNS[target.dataset];
  const series = seriesColumns(target);
  const keyMatch = [...series.map((c, i) => `t.${c} = $${i + 1}`), `t.${time} = s.${time}`].join(' AND ');
  const source = how.collapseRepeats ? `(SELECT DISTINCT * FROM ${stage.table})` : stage.table;
  const newOnly = how.skipStored ? `WHERE NOT EXISTS (SELECT 1 FROM ${target.dataset} t WHERE ${keyMatch})` : '';
  const result = await connection.run(
    `INSERT INTO ${target.dataset} (${[...series, ...columns].join(', ')})
     SELECT ${series.map((_, i) => `$${i + 1}`).join(', ')}, ${columns.map((c) => `s.${c}`).join(', ')}
     FROM ${source} s ${newOnly}`,
    seriesValues(target),
  );
  return Number(result.rowsChanged);
}

async function reject(store: Store, stage: Stage, checksum: string, rows: number, problems: ImportProblem[]): Promise<FileImportResult> {
  return recordRejection(store, stage.target, checksum, problems, rows);
}

/** A rejected input, recorded in `imports`; `target` may be only a name and format when the contents never got that far. */
export async function recordRejection(
  store: Store,
  target: ImportTarget | Pick<ImportTarget, 'source' | 'format'>,
  checksum: string,
  problems: ImportProblem[],
  rows = 0,
): Promise<FileImportResult> {
  const base: FileImportResult =
    'dataset' in target
      ? resultBase(target, 'rejected')
      : { source: target.source, format: target.format, status: 'rejected', rows: 0, rowsAdded: 0, problems: [], notes: [] };
  const result: FileImportResult = { ...base, rows, problems };
  await recordImport(store.connection, result, checksum);
  return result;
}

/** Arrow, JSON and column inputs have rows, not lines: say so instead of printing `file:17`. */
function withRowLabels(stage: Stage, problems: ImportProblem[]): ImportProblem[] {
  if (stage.lineKind === 'line') return problems;
  return problems.map(({ line, message }) => (line === undefined ? { message } : { message: `row ${line}: ${message}` }));
}

export function resultBase(target: ImportTarget, status: FileImportResult['status']): FileImportResult {
  return {
    source: target.source,
    format: target.format,
    status,
    dataset: target.dataset,
    market: target.market,
    symbol: target.symbol,
    ...(target.interval === undefined ? {} : { interval: target.interval }),
    rows: 0,
    rowsAdded: 0,
    problems: [],
    notes: [],
  };
}

/** One row in `imports` per input looked at (except 'unchanged' ones, which change nothing). */
export async function recordImport(connection: DuckDBConnection, result: FileImportResult, checksum: string): Promise<void> {
  const message = result.problems.length > 0 ? result.problems.map((p) => (p.line === undefined ? p.message : `line ${p.line}: ${p.message}`)).join('\n') : null;
  await connection.run(
    `INSERT INTO imports (source, format, dataset, market, symbol, interval, rows, rows_added, first_time, last_time, checksum, status, message, imported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now()::TIMESTAMP)`,
    [
      result.source,
      result.format,
      result.dataset ?? 'unknown',
      result.market ?? null,
      result.symbol ?? null,
      result.interval ?? null,
      result.rows,
      result.rowsAdded,
      result.firstTime ?? null,
      result.lastTime ?? null,
      checksum,
      result.status,
      message,
    ],
  );
}
