import { readFile } from 'node:fs/promises';
import { inputError, operationalError } from '../engine/index.ts';

/** Feature rows from a CSV file: the header's names, and the values row-major in the header's column order. */
export interface FeatureCsv {
  names: string[];
  rows: number;
  values: Float64Array;
}

/**
 * Read a CSV of numeric feature rows whose header names the columns (comma-separated, no quoted commas). An empty
 * cell, `NaN` or `nan` is a missing value (NaN); anything else that is not a number is an error naming file:line.
 */
export async function readFeatureCsv(path: string): Promise<FeatureCsv> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw operationalError('INPUT_UNREADABLE', `cannot read the input file: ${(error as Error).message}`, { where: path, cause: error });
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const unquote = (cell: string) => cell.trim().replace(/^"(.*)"$/, '$1');
  const names = (lines[0] ?? '').split(',').map(unquote);
  if (names.length === 0 || names.some((n) => n === '')) {
    throw inputError('CSV_HEADER_INVALID', 'the first line must name every column (feature names, comma-separated)', { where: `${path}:1` });
  }
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw inputError('CSV_HEADER_INVALID', `column "${duplicate}" appears twice in the header`, { where: `${path}:1` });
  const rows = lines.length - 1;
  const values = new Float64Array(rows * names.length);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(',');
    if (cells.length !== names.length) {
      throw inputError('CSV_ROW_INVALID', `${cells.length} cells where the header has ${names.length}`, { where: `${path}:${r + 2}` });
    }
    cells.forEach((raw, c) => {
      const cell = unquote(raw);
      const value = cell === '' || cell.toLowerCase() === 'nan' ? Number.NaN : Number(cell);
      if (Number.isNaN(value) && cell !== '' && cell.toLowerCase() !== 'nan') {
        throw inputError('CSV_ROW_INVALID', `column "${names[c]}" holds "${cell}", not a number`, { where: `${path}:${r + 2}`, hint: 'leave a cell empty (or write NaN) for a missing value' });
      }
      values[r * names.length + c] = value;
    });
  }
  return { names, rows, values };
}
