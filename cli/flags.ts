import { formatTime, inputError, parseTime } from '../engine/index.ts';
import { MARKETS, type Market } from '../data/index.ts';
import type { TimeRange } from '../data/query/index.ts';

// Flag parsers shared by the commands: each names the flag in its error, so the user sees
// `error[CODE]: --flag: …` and exit status 2.

/** A symbol flag: an exchange symbol id such as BTCUSDT. */
export function parseSymbol(text: string, where = '--symbol'): string {
  if (/^[A-Z0-9]{2,30}$/.test(text)) return text;
  throw inputError('BAD_SYMBOL', `"${text}" is not a symbol`, { where, hint: 'upper-case letters and digits, e.g. BTCUSDT' });
}

/** A market flag: one of the store's markets. */
export function parseMarket(text: string, where = '--market'): Market {
  if ((MARKETS as readonly string[]).includes(text)) return text as Market;
  throw inputError('BAD_MARKET', `unknown market "${text}"`, { where, hint: `use one of ${MARKETS.join(', ')}` });
}

/**
 * Two time flags as a half-open range (`from` inclusive, `to` exclusive); either may be absent.
 * `names` are the flags as the command spells them (resample ends its range with --until).
 */
export function parseRange(flags: { from?: string | undefined; to?: string | undefined }, names = { from: '--from', to: '--to' }): TimeRange {
  const range: TimeRange = {};
  if (flags.from !== undefined) range.from = parseTime(flags.from, names.from);
  if (flags.to !== undefined) range.to = parseTime(flags.to, names.to);
  if (range.from !== undefined && range.to !== undefined && range.to <= range.from) {
    throw inputError('BAD_RANGE', `${names.to} (${formatTime(range.to)}) is not after ${names.from} (${formatTime(range.from)})`, {
      where: `${names.from}/${names.to}`,
      hint: `${names.from} is inclusive and ${names.to} exclusive: give a later ${names.to}`,
    });
  }
  return range;
}

/** An integer flag within [min, max] (both inclusive, either open). */
export function parseInteger(text: string, where: string, { min, max }: { min?: number; max?: number } = {}): number {
  const value = Number(text);
  const inRange = (min === undefined || value >= min) && (max === undefined || value <= max);
  if (/^-?\d+$/.test(text.trim()) && Number.isSafeInteger(value) && inRange) return value;
  throw inputError('BAD_INTEGER', `must be ${describeIntegers(min, max)}, not "${text}"`, { where });
}

function describeIntegers(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `a whole number from ${min} to ${max}`;
  if (min === 1 && max === undefined) return 'a positive integer';
  if (min !== undefined) return `an integer of at least ${min}`;
  if (max !== undefined) return `an integer of at most ${max}`;
  return 'an integer';
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** A duration flag: a whole number and a unit, `90d`, `12h`, `2w`, `30m`. */
export function parseDuration(text: string, where: string): number {
  const match = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  if (match && Number(match[1]) > 0) return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  throw inputError('BAD_DURATION', `"${text}" is not a duration`, { where, hint: 'a whole number and a unit: 30m, 12h, 90d, 2w' });
}
