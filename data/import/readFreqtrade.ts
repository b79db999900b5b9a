import { CompressionType, compressionRegistry, tableFromIPC } from 'apache-arrow';
import lz4 from 'lz4js';
import type { Dataset } from './ImportResult.ts';
import type { ColumnSet } from './importColumns.ts';

// freqtrade writes feather files with LZ4-framed buffers; apache-arrow decodes them once a codec is registered.
compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data: Uint8Array) => Uint8Array.from(lz4.decompress(data)) });

export interface ReadColumns {
  values: ColumnSet;
  length: number;
}

/**
 * freqtrade's OHLCV files hold date, open, high, low, close, volume. Its funding-rate files use the
 * same columns with the rate in `open`; mark-price files are OHLC candles with a volume we drop.
 */
function toStageColumns(dataset: Dataset, columns: Record<string, Float64Array>, length: number): ReadColumns {
  const { date, open, high, low, close, volume } = columns;
  if (dataset === 'funding_rates') return { values: { funding_time: date, rate: open }, length };
  if (dataset === 'mark_candles') return { values: { open_time: date, open, high, low, close }, length };
  return { values: { open_time: date, open, high, low, close, volume }, length };
}

const OHLCV = ['date', 'open', 'high', 'low', 'close', 'volume'] as const;

/** An Arrow IPC (feather) file as freqtrade writes it; throws a plain Error describing what is wrong. */
export function readFeather(bytes: Uint8Array, dataset: Dataset): ReadColumns {
  const table = tableFromIPC(bytes);
  const length = table.numRows;
  const columns: Record<string, Float64Array> = {};
  for (const name of OHLCV) {
    const vector = table.getChild(name);
    if (!vector) throw new Error(`no "${name}" column (columns: ${table.schema.fields.map((f) => f.name).join(', ')})`);
    const values = new Float64Array(length);
    // Arrow JS returns timestamps of any unit as epoch milliseconds.
    for (let i = 0; i < length; i++) values[i] = toNumber(vector.get(i));
    columns[name] = values;
  }
  return toStageColumns(dataset, columns, length);
}

/** freqtrade's JSON data format: an array of [ms, open, high, low, close, volume]. */
export function readFreqtradeJson(text: string, dataset: Dataset): ReadColumns {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('expected an array of [time, open, high, low, close, volume] rows');
  const length = parsed.length;
  const columns: Record<string, Float64Array> = Object.fromEntries(OHLCV.map((name) => [name, new Float64Array(length)]));
  parsed.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length < OHLCV.length) throw new Error(`row ${i + 1}: expected [time, open, high, low, close, volume], got ${JSON.stringify(row)}`);
    OHLCV.forEach((name, j) => (columns[name]![i] = toNumber(row[j])));
  });
  return toStageColumns(dataset, columns, length);
}

// Anything not a number (null, text) becomes NaN, which validation reports with its row.
const toNumber = (value: unknown): number => (typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number.NaN);
