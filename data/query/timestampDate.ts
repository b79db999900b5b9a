/** A DuckDB TIMESTAMP as the store reads it back (`2024-05-14 09:30:00.123`, UTC, no zone) as a Date; NULL stays null. */
export function timestampDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(`${String(value).replace(' ', 'T')}Z`);
}
