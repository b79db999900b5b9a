import type { DuckDBConnection } from '@duckdb/node-api';
import { INTERVAL_MS } from '../../engine/index.ts';
import { MAX_PROBLEMS, type ImportProblem } from './ImportResult.ts';
import { REQUIRED_COLUMNS, STAGE_COLUMNS, timeColumn, type Stage } from './Stage.ts';

export interface Validation {
  rows: number;
  firstTime?: number;
  lastTime?: number;
  problems: ImportProblem[];
  /** Lines that repeat the row before them exactly; they are collapsed on merge. */
  identicalDuplicates: number;
  firstDuplicateLine?: number;
}

// Weekly candles open on Mondays; 1970-01-01 was a Thursday.
const ANCHOR_MS: Partial<Record<keyof typeof INTERVAL_MS, number>> = { '1w': 4 * 86_400_000 };

const text = (column: string) => `coalesce(${column}::VARCHAR, 'empty')`;
const timeText = (column: string) => `${column}::VARCHAR || ' (' || strftime(epoch_ms(${column}), '%Y-%m-%d %H:%M:%S') || 'Z)'`;

/**
 * The one set of row rules every source is held to, run in SQL over a stage: empty or non-finite
 * fields, OHLC consistency, negative volume, candle times off the interval grid, times going
 * backwards, and repeated times (identical repeats are collapsed, differing ones are errors).
 * Gaps are allowed: `data ls` reports them.
 */
export async function validateStage(connection: DuckDBConnection, stage: Stage): Promise<Validation> {
  const { dataset, interval } = stage.target;
  const time = timeColumn(dataset);
  const columns = STAGE_COLUMNS[dataset];
  const valueColumns = columns.slice(1);

  const summary = (
    await connection.runAndReadAll(`SELECT count(*)::DOUBLE AS n, min(${time})::DOUBLE AS first, max(${time})::DOUBLE AS last FROM ${stage.table}`)
  ).getRowObjects()[0]!;
  const rows = summary['n'] as number;
  if (rows === 0) return { rows, problems: [{ message: 'empty file: no data rows' }], identicalDuplicates: 0 };

  const rules: string[] = [];
  for (const column of REQUIRED_COLUMNS[dataset]) rules.push(`WHEN ${column} IS NULL THEN 'empty field ${column}'`);
  for (const column of valueColumns) {
    rules.push(`WHEN isnan(${column}::DOUBLE) OR isinf(${column}::DOUBLE) THEN '${column} is not a finite number (' || ${column} || ')'`);
  }
  if (dataset !== 'funding_rates') {
    rules.push(
      `WHEN low > high THEN 'high < low (high ' || high || ', low ' || low || ')'`,
      `WHEN open < low OR open > high THEN 'open outside low..high (open ' || open || ', low ' || low || ', high ' || high || ')'`,
      `WHEN close < low OR close > high THEN 'close outside low..high (close ' || close || ', low ' || low || ', high ' || high || ')'`,
    );
    if (dataset === 'candles') {
      rules.push(`WHEN volume < 0 THEN 'negative volume (' || volume || ')'`);
      for (const column of ['quote_volume', 'trades', 'taker_buy_base', 'taker_buy_quote']) {
        rules.push(`WHEN ${column} < 0 THEN 'negative ${column} (' || ${column} || ')'`);
      }
    }
    if (interval === undefined) throw new Error(`stage of ${dataset} without an interval`);
    const ms = INTERVAL_MS[interval];
    // 3-day candles have no calendar anchor we can rely on: hold them to the grid of their first row.
    const anchor = interval === '3d' ? `(SELECT min(open_time) FROM ${stage.table})` : String(ANCHOR_MS[interval] ?? 0);
    rules.push(`WHEN (open_time - ${anchor}) % ${ms} <> 0 THEN 'open_time is not on the ${interval} grid: ' || ${timeText('open_time')}`);
  }
  rules.push(`WHEN ${time} < prev_time THEN '${time} goes backwards: ' || ${timeText(time)} || ' after ' || ${timeText('prev_time')}`);

  const found = (
    await connection.runAndReadAll(`
      WITH s AS (SELECT rowid + ${stage.firstLine} AS line, *, lag(${time}) OVER (ORDER BY rowid) AS prev_time FROM ${stage.table}),
           c AS (SELECT line, CASE ${rules.join('\n')} END AS message, ${time} = prev_time AS repeat FROM s)
      SELECT line::DOUBLE AS line, message,
             (count(*) FILTER (WHERE message IS NOT NULL) OVER ())::DOUBLE AS total,
             (count(*) FILTER (WHERE repeat) OVER ())::DOUBLE AS repeats
      FROM c WHERE message IS NOT NULL OR repeat ORDER BY message IS NULL, line LIMIT ${MAX_PROBLEMS}`)
  ).getRowObjects();
  const problems: ImportProblem[] = found
    .filter((row) => row['message'] !== null)
    .map((row) => ({ line: row['line'] as number, message: row['message'] as string }));
  const repeats = (found[0]?.['repeats'] as number | undefined) ?? 0;
  const duplicates = repeats > 0 ? await findRepeats(connection, stage, problems.length) : { problems: [], identical: 0, firstIdentical: undefined };
  problems.push(...duplicates.problems);
  problems.sort((a, b) => a.line! - b.line!);
  problems.splice(MAX_PROBLEMS);
  const total = ((found[0]?.['total'] as number | undefined) ?? 0) + repeats - duplicates.identical;
  if (total > problems.length) problems.push({ message: `… and ${total - problems.length} more problems` });
  if (problems.length > 0) return { rows, problems, identicalDuplicates: 0 };

  const identicalDuplicates = duplicates.identical;
  return {
    rows,
    firstTime: summary['first'] as number,
    lastTime: summary['last'] as number,
    problems,
    identicalDuplicates,
    ...(duplicates.firstIdentical === undefined ? {} : { firstDuplicateLine: duplicates.firstIdentical }),
  };
}

/**
 * Rows whose time equals the row before them: identical repeats are collapsed on merge, rows that
 * differ are errors (which one would be right?). Only run when such rows exist.
 */
async function findRepeats(connection: DuckDBConnection, stage: Stage, alreadyFound: number) {
  const { dataset } = stage.target;
  const time = timeColumn(dataset);
  const valueColumns = STAGE_COLUMNS[dataset].slice(1);
  const shown = REQUIRED_COLUMNS[dataset].slice(1);
  const differs = valueColumns.map((c) => `a.${c} IS DISTINCT FROM b.${c}`).join(' OR ');
  const rows = (
    await connection.runAndReadAll(`
      WITH r AS (
        SELECT a.rowid + ${stage.firstLine} AS line, (${differs}) AS differs,
               'duplicate ${time} ' || ${timeText(`a.${time}`)} || ' with values different from the row before it (${shown.join(',')} '
               || ${shown.map((c) => text(`a.${c}`)).join(` || ',' || `)} || ' after '
               || ${shown.map((c) => text(`b.${c}`)).join(` || ',' || `)} || ')' AS message
        FROM ${stage.table} a JOIN ${stage.table} b ON b.rowid = a.rowid - 1 AND a.${time} = b.${time}
      )
      SELECT line::DOUBLE AS line, message, differs,
             (count(*) FILTER (WHERE NOT differs) OVER ())::DOUBLE AS identical,
             (min(line) FILTER (WHERE NOT differs) OVER ())::DOUBLE AS first_identical
      FROM r ORDER BY differs DESC, line LIMIT ${MAX_PROBLEMS - alreadyFound + 1}`)
  ).getRowObjects();
  const identical = (rows[0]?.['identical'] as number | undefined) ?? 0;
  const firstIdentical = identical > 0 ? (rows[0]!['first_identical'] as number) : undefined;
  const problems = rows.filter((row) => row['differs']).map((row) => ({ line: row['line'] as number, message: row['message'] as string }));
  return { problems, identical, firstIdentical };
}
