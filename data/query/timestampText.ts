/** A Date as DuckDB TIMESTAMP text (`2024-05-14 09:30:00.123`, UTC, no zone): the inverse of `timestampDate`. */
export function timestampText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
