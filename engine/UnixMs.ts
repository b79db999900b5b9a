import { inputError } from './XylenError.ts';

/** Integer Unix milliseconds, UTC. Every time in Xylen is one of these. */
export type UnixMs = number & { readonly __brand: 'UnixMs' };

export function unixMs(value: number, where = 'time'): UnixMs {
  if (!Number.isSafeInteger(value)) {
    throw inputError('BAD_TIME', `not an integer millisecond timestamp: ${value}`, { where });
  }
  return value as UnixMs;
}

/**
 * Parse a user-supplied time: ISO date (`2024-01-31`, taken as UTC midnight), ISO date-time
 * (UTC unless it has an offset), or integer Unix milliseconds.
 */
export function parseTime(text: string, where = 'time'): UnixMs {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) return unixMs(Number(trimmed), where);
  const isoDate = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const ms = Date.parse(isoDate ? `${trimmed}T00:00:00Z` : hasZone ? trimmed : `${trimmed}Z`);
  if (Number.isNaN(ms)) {
    throw inputError('BAD_TIME', `cannot read "${text}" as a time`, {
      where,
      hint: 'use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z], or Unix milliseconds',
    });
  }
  return ms as UnixMs;
}

/** `2024-01-31 08:00:00Z`-style UTC text for reports and messages. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z');
}
