import { DOUBLE, DuckDBDataChunk, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeFeatures, formatTime, inputError, intervalMs, type FeatureMatrix } from '../../engine/index.ts';
import { forwardReturnLabels, tripleBarrierLabels, type Labels } from '../../engine/labels/index.ts';
import type { Store } from '../../data/index.ts';
import { copyQueryToFile, exportTarget, type ExportFormat, type ExportTarget } from '../../data/query/index.ts';
import { loadReplayData, type ReplayDataRequest, type ReplayInputs } from '../replay/loadReplayData.ts';

export const LABEL_KINDS = ['none', 'triple-barrier', 'forward-return'] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

export type LabelSpec =
  | { kind: 'none' }
  /** Barriers as fractions of the decision close; `horizon` in decision bars. */
  | { kind: 'triple-barrier'; horizon: number; takeProfit: number; stopLoss: number; signAtVertical: boolean }
  | { kind: 'forward-return'; horizon: number };

export interface FeatureExportRequest extends ReplayDataRequest {
  label: LabelSpec;
  /** .parquet or .csv; an existing file is replaced. */
  out: string;
  onProgress?: (rowsWritten: number, rows: number) => void;
}

/** How the labels came out over the exported rows: for forward returns, by the sign of the return. */
export interface LabelCounts {
  up: number;
  down: number;
  neutral: number;
  /** Rows whose horizon runs past the stored data (NULL in the file). */
  unknown: number;
}

export interface FeatureExportResult {
  path: string;
  format: ExportFormat;
  rows: number;
  columns: string[];
  market: string;
  symbol: string;
  synthetic: boolean;
  decisionInterval: string;
  contextInterval: string | null;
  /** Decision candles from here on fed the indicators; rows before `from` were computed and left out. */
  warmupFrom: number;
  firstTime: number;
  lastTime: number;
  derived: ReplayInputs['derived'];
  label: LabelKind;
  labelCounts: LabelCounts | null;
}

/** A column to append: a typed array, or a view of a matrix column. */
interface ColumnSource {
  readonly length: number;
  at(i: number): number | undefined;
}

/** Rows handed to DuckDB at a time: its vector size. */
const CHUNK_ROWS = 2048;

/**
 * Write the feature matrix the engine sees for decisions closing in [from, to) to a Parquet or CSV file, with
 * optional training labels. The candles come through the replay's own loader (same warm-up, same resampling),
 * and the features from `computeFeatures`, so a model trained on the file sees what it will see in a replay.
 *
 * Columns: time (decision close, Unix ms), time_utc (ISO 8601), symbol, market (so SYNTHETIC data stays labelled
 * wherever the file goes), every feature by name, then label, label_time (Unix ms when the label became known)
 * and label_return (simple return to where it resolved) when labels are asked for. Labels may look up to
 * `horizon` decision bars past `to` when the store has those candles; NaN cells are written as NULL.
 * The file appears whole or not at all (see copyQueryToFile).
 */
export async function exportFeatures(store: Store, request: FeatureExportRequest): Promise<FeatureExportResult> {
  const target = exportTarget(request.out);
  const { label: labelSpec, from, to } = request;
  const decisionMs = intervalMs(request.decisionInterval);
  const labelSpan = labelSpec.kind === 'none' ? 0 : labelSpec.horizon * decisionMs;
  const inputs = await loadReplayData(store, {
    market: request.market,
    symbol: request.symbol,
    from,
    to: to + labelSpan,
    decisionInterval: request.decisionInterval,
    contextInterval: request.contextInterval,
  });
  const matrix = computeFeatures(inputs.decision, inputs.context, { decisionInterval: request.decisionInterval, contextInterval: request.contextInterval });
  const labels = computeLabels(labelSpec, matrix, inputs);

  // Rows after `to` were loaded only for the labels: features at a row never depend on later candles.
  let start = 0;
  while (start < matrix.rows && matrix.time[start]! < from) start++;
  let end = start;
  while (end < matrix.rows && matrix.time[end]! < to) end++;
  if (end === start) {
    throw inputError('NO_DECISIONS', `no ${request.decisionInterval} decision candle of ${request.market} ${request.symbol} closes between ${formatTime(from)} and ${formatTime(to)}`, {
      where: '--from/--to',
      hint: 'widen the range; see what is stored with `xylen data ls`',
    });
  }

  const columns = [...matrix.names];
  const sources: ColumnSource[] = columns.map((_, c) => strided(matrix, c, start, end));
  const labelNames = labels ? ['label', 'label_time', 'label_return'] : [];
  if (labels) sources.push(labels.label.subarray(start, end), labels.time.subarray(start, end), labels.realizedReturn.subarray(start, end));
  const time = matrix.time.subarray(start, end);
  await writeFile(target, {
    time,
    values: sources,
    names: [...columns, ...labelNames],
    labelIsInteger: labelSpec.kind === 'triple-barrier',
    symbol: request.symbol,
    market: request.market,
    onProgress: request.onProgress,
  });
  return {
    ...target,
    rows: end - start,
    columns: ['time', 'time_utc', 'symbol', 'market', ...columns, ...labelNames],
    market: request.market,
    symbol: request.symbol,
    synthetic: request.market === 'synthetic',
    decisionInterval: request.decisionInterval,
    contextInterval: inputs.context ? request.contextInterval : null,
    warmupFrom: inputs.warmupFrom,
    firstTime: time[0]!,
    lastTime: time[time.length - 1]!,
    derived: inputs.derived,
    label: labelSpec.kind,
    labelCounts: labels ? countLabels(labels.label.subarray(start, end)) : null,
  };
}

/** The labels of `spec` for every row of `matrix`, from the candles it was computed on (NaN where unknown). */
export function computeLabels(spec: LabelSpec, matrix: FeatureMatrix, inputs: ReplayInputs): Labels | undefined {
  const close = inputs.decision.close.subarray(0, matrix.rows);
  const decisionMs = intervalMs(inputs.decisionInterval);
  switch (spec.kind) {
    case 'none':
      return undefined;
    case 'forward-return':
      return forwardReturnLabels(matrix.time, close, spec.horizon, decisionMs);
    case 'triple-barrier':
      return tripleBarrierLabels(matrix.time, close, inputs.base, { ...spec, decisionMs, baseMs: intervalMs(inputs.baseInterval) });
  }
}

function countLabels(label: Float64Array): LabelCounts {
  const counts: LabelCounts = { up: 0, down: 0, neutral: 0, unknown: 0 };
  for (const value of label) {
    if (Number.isNaN(value)) counts.unknown++;
    else if (value > 0) counts.up++;
    else if (value < 0) counts.down++;
    else counts.neutral++;
  }
  return counts;
}

/** Feature column `c` of rows [start, end) as a lazy view over the row-major matrix (read once, while appending). */
function strided(matrix: FeatureMatrix, c: number, start: number, end: number): ColumnSource {
  const { values, width } = matrix;
  return { length: end - start, at: (i) => values[(start + i) * width + c]! };
}

interface FileContent {
  time: Float64Array;
  values: ColumnSource[];
  names: string[];
  /** Triple-barrier labels are written as small integers, forward returns as doubles. */
  labelIsInteger: boolean;
  symbol: string;
  market: string;
  onProgress: ((rowsWritten: number, rows: number) => void) | undefined;
}

/**
 * Append the columns to a table of a private in-memory DuckDB (the store stays read-only), then COPY it out.
 * Every appended column is DOUBLE; the COPY query casts times and integer labels and adds the text columns.
 */
async function writeFile(target: ExportTarget, content: FileContent): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const width = 1 + content.values.length;
    const stored = Array.from({ length: width }, (_, c) => `c${c}`);
    await connection.run(`CREATE TABLE features (${stored.map((name) => `${name} DOUBLE`).join(', ')})`);
    await appendColumns(connection, [content.time, ...content.values], content.onProgress);

    const select = [
      'CAST(c0 AS BIGINT) AS time',
      `strftime(epoch_ms(CAST(c0 AS BIGINT)), '%Y-%m-%dT%H:%M:%S.%gZ') AS time_utc`,
      '$1::VARCHAR AS symbol',
      '$2::VARCHAR AS market',
      ...content.names.map((name, i) => `${columnCast(name, content.labelIsInteger, `c${i + 1}`)} AS ${quoteIdentifier(name)}`),
    ];
    await copyQueryToFile(connection, `SELECT ${select.join(', ')} FROM features ORDER BY c0`, [content.symbol, content.market], target);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function columnCast(name: string, labelIsInteger: boolean, column: string): string {
  if (name === 'label_time' || (name === 'label' && labelIsInteger)) return `CAST(${column} AS ${name === 'label' ? 'TINYINT' : 'BIGINT'})`;
  return column;
}

/** Fill DuckDB data chunks column by column from the sources (NaN → NULL): no per-cell native call. */
async function appendColumns(
  connection: DuckDBConnection,
  columns: readonly ColumnSource[],
  onProgress: ((rowsWritten: number, rows: number) => void) | undefined,
): Promise<void> {
  const rows = columns[0]?.length ?? 0;
  const appender = await connection.createAppender('features');
  const chunk = DuckDBDataChunk.create(columns.map(() => DOUBLE));
  for (let first = 0; first < rows; first += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, rows - first);
    chunk.reset();
    chunk.rowCount = count;
    columns.forEach((source, c) => {
      const vector = chunk.getColumnVector(c);
      for (let i = 0; i < count; i++) {
        const value = source.at(first + i)!;
        vector.setItem(i, Number.isNaN(value) ? null : value);
      }
      vector.flush();
    });
    appender.appendDataChunk(chunk);
    onProgress?.(first + count, rows);
  }
  appender.closeSync();
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
