import type { DuckDBConnection } from '@duckdb/node-api';
import { MAX_PROBLEMS, type ImportProblem } from './ImportResult.ts';
import { createStage, newStageName, STAGE_COLUMNS, type ImportTarget, type Stage } from './Stage.ts';
import type { CsvShape, CsvLayout } from './detectFormat.ts';

const OHLC: [string, string][] = [
  ['open_time', 'BIGINT'],
  ['open', 'DOUBLE'],
  ['high', 'DOUBLE'],
  ['low', 'DOUBLE'],
  ['close', 'DOUBLE'],
];
const OHLCV: [string, string][] = [...OHLC, ['volume', 'DOUBLE']];

/** Each layout's columns with the types they are read as. */
export const FILE_COLUMNS: Record<CsvLayout, [string, string][]> = {
  'binance-klines': [
    ...OHLCV,
    ['close_time', 'BIGINT'],
    ['quote_volume', 'DOUBLE'],
    ['count', 'BIGINT'],
    ['taker_buy_volume', 'DOUBLE'],
    ['taker_buy_quote_volume', 'DOUBLE'],
    ['ignore', 'VARCHAR'],
  ],
  ohlcv: OHLCV,
  'binance-funding': [
    ['calc_time', 'BIGINT'],
    ['funding_interval_hours', 'BIGINT'],
    ['last_funding_rate', 'DOUBLE'],
  ],
  funding: [
    ['funding_time', 'BIGINT'],
    ['funding_rate', 'DOUBLE'],
  ],
  'xylen-candles': [
    ...OHLCV,
    ['quote_volume', 'DOUBLE'],
    ['trades', 'BIGINT'],
    ['taker_buy_base', 'DOUBLE'],
    ['taker_buy_quote', 'DOUBLE'],
    ['market', 'VARCHAR'],
  ],
  'xylen-mark': [...OHLC, ['market', 'VARCHAR']],
  'xylen-funding': [
    ['funding_time', 'BIGINT'],
    ['funding_rate', 'DOUBLE'],
    ['mark_price', 'DOUBLE'],
    ['market', 'VARCHAR'],
  ],
};

/** How each layout's columns become a stage's columns (the market column is read by marketColumn). */
export function stageSelect(layout: CsvLayout, target: ImportTarget): string {
  switch (layout) {
    case 'binance-funding':
      return 'calc_time AS funding_time, last_funding_rate AS rate, NULL::DOUBLE AS mark_price';
    case 'funding':
      return 'funding_time, funding_rate AS rate, NULL::DOUBLE AS mark_price';
    case 'xylen-funding':
      return 'funding_time, funding_rate AS rate, mark_price';
    case 'xylen-mark':
      return 'open_time, open, high, low, close';
    case 'xylen-candles':
      return target.dataset === 'mark_candles' ? 'open_time, open, high, low, close' : STAGE_COLUMNS.candles.join(', ');
    case 'binance-klines':
      return target.dataset === 'mark_candles'
        ? 'open_time, open, high, low, close'
        : `open_time, open, high, low, close, volume, quote_volume, count AS trades,
           taker_buy_volume AS taker_buy_base, taker_buy_quote_volume AS taker_buy_quote`;
    case 'ohlcv':
      // Mark-price files carry a volume column that is always 0: it is not stored.
      return target.dataset === 'mark_candles'
        ? 'open_time, open, high, low, close'
        : `open_time, open, high, low, close, volume, NULL::DOUBLE AS quote_volume, NULL::BIGINT AS trades,
           NULL::DOUBLE AS taker_buy_base, NULL::DOUBLE AS taker_buy_quote`;
  }
}

export const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * `read_csv` of a file of this shape with every column as text and one row per non-blank line, as
 * a stage has: for reading the market column before the file is staged.
 */
export function csvTextRelation(path: string, shape: CsvShape): string {
  const columns = FILE_COLUMNS[shape.layout].map(([c]) => `${quote(c)}: 'VARCHAR'`).join(', ');
  return `read_csv(${quote(path)}, columns = {${columns}}, header = ${shape.header}, delim = ',', quote = '"', escape = '"',
    auto_detect = false, null_padding = true, strict_mode = false)`;
}

/**
 * Read a CSV with DuckDB's parallel reader (explicit columns and types, no sniffing) into a stage.
 * Rows DuckDB cannot read (text in a number column, missing or extra fields) come back as problems
 * with their line, from its rejects table; the stage is then dropped, since its row ids would no
 * longer match file lines.
 */
export async function stageCsv(
  connection: DuckDBConnection,
  path: string,
  shape: CsvShape,
  target: ImportTarget,
): Promise<{ stage: Stage } | { problems: ImportProblem[] }> {
  const name = newStageName();
  // DuckDB keeps rejects in TEMP tables named here.
  const rejects = `${name.replace('.', '_')}_rejects`;
  const columns = FILE_COLUMNS[shape.layout];
  const read = `read_csv(${quote(path)}, columns = {${columns.map(([c, t]) => `${quote(c)}: ${quote(t)}`).join(', ')}},
    header = ${shape.header}, delim = ',', quote = '"', escape = '"', auto_detect = false,
    store_rejects = true, rejects_table = '${rejects}', rejects_scan = '${rejects}_scan')`;
  const stage = await createStage(
    connection,
    { table: name, target, firstLine: shape.header ? 2 : 1, lineKind: 'line' },
    `SELECT ${stageSelect(shape.layout, target)} FROM ${read}`,
  );
  try {
    const rejected = await connection.runAndReadAll(
      `SELECT line::DOUBLE AS line, min_by(column_name, column_idx) AS column_name,
              any_value(error_type) AS error_type, any_value(csv_line) AS csv_line, any_value(error_message) AS error_message,
              (count(*) OVER ())::DOUBLE AS total
       FROM ${rejects} GROUP BY line ORDER BY line LIMIT ${MAX_PROBLEMS}`,
    );
    const rows = rejected.getRowObjects();
    if (rows.length === 0) return { stage };
    await connection.run(`DROP TABLE IF EXISTS ${name}`);
    const problems: ImportProblem[] = rows.map((row) => ({ line: row['line'] as number, message: describeReject(row, columns.map(([c]) => c)) }));
    const total = rows[0]!['total'] as number;
    if (total > rows.length) problems.push({ message: `… and ${total - rows.length} more unreadable lines` });
    return { problems };
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${rejects}`);
    await connection.run(`DROP TABLE IF EXISTS ${rejects}_scan`);
  }
}

function describeReject(row: Record<string, unknown>, columns: string[]): string {
  const line = String(row['csv_line'] ?? '');
  switch (row['error_type']) {
    case 'CAST': {
      const name = String(row['column_name']);
      return `${name} is not a number ("${line.split(',')[columns.indexOf(name)] ?? ''}")`;
    }
    case 'MISSING COLUMNS':
      return `truncated row: ${line.split(',').length} of ${columns.length} fields ("${line}")`;
    case 'TOO MANY COLUMNS':
      return `too many fields: expected ${columns.length} ("${line}")`;
    default:
      return `${String(row['error_message'])} ("${line}")`;
  }
}
