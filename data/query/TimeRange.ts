import { formatTime, inputError } from '../../engine/index.ts';

/**
 * A half-open time range in Unix ms: `from` is inclusive, `to` exclusive, so consecutive ranges
 * (`[a, b)`, `[b, c)`) never load a candle twice. Either end may be left open.
 */
export interface TimeRange {
  from?: number;
  to?: number;
}

/** Refuse a range that can hold nothing (`from >= to`): a user who typed it meant something else. */
export function checkRange({ from, to }: TimeRange): void {
  if (from !== undefined && to !== undefined && from >= to) {
    throw inputError('BAD_RANGE', `the time range is empty: from ${formatTime(from)} is not before to ${formatTime(to)}`, {
      where: '--from/--to',
      hint: '`from` is inclusive and `to` exclusive; give a `to` later than `from`',
    });
  }
}

/** SQL conditions on `column` for `range`, with their parameters numbered from `firstParam`. */
export function rangeConditions(column: string, range: TimeRange, firstParam: number): { conditions: string[]; params: bigint[] } {
  checkRange(range);
  const { from, to } = range;
  const conditions: string[] = [];
  const params: bigint[] = [];
  for (const [op, value] of [['>=', from], ['<', to]] as const) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value)) throw inputError('BAD_TIME', `not an integer millisecond timestamp: ${value}`, { where: '--from/--to' });
    conditions.push(`${column} ${op} $${firstParam + params.length}`);
    // BIGINT parameters keep the comparison on the column's own type, so DuckDB can prune by min/max.
    params.push(BigInt(value));
  }
  return { conditions, params };
}
