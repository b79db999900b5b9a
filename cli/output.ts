import { formatTime } from '../engine/index.ts';
/** Print a value as JSON on standard output (for `--json`), with bigint as numbers when safe. */
export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v), 2)}\n`,
  );
}

/** Render rows as an aligned text table; numbers are right-aligned. */
/** Table cells: a UTC date (YYYY-MM-DD), a ratio as a percentage with two decimals, a number rounded; null stays empty. */
export const cellDay = (ms: number): string => formatTime(ms).slice(0, 10);
export const cellPercent = (v: number | null | undefined): number | null => (v == null ? null : Math.round(v * 10_000) / 100);
export const cellRound = (v: number | null | undefined, digits = 2): number | null => (v == null ? null : Number(v.toFixed(digits)));

export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  if (rows.length === 0) return '(none)';
  const keys = columns ?? Object.keys(rows[0]!);
  const cells = rows.map((row) => keys.map((key) => formatCell(row[key])));
  const widths = keys.map((key, i) => Math.max(key.length, ...cells.map((r) => r[i]!.length)));
  const numeric = keys.map((key) => rows.every((row) => typeof row[key] === 'number' || typeof row[key] === 'bigint' || row[key] == null));
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(keys.map((k) => k)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  if (typeof value === 'bigint') return Number(value).toLocaleString('en-US');
  return String(value);
}
