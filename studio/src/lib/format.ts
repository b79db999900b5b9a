import type { MetricFormat } from './metricsCatalog.ts';

// Numbers for people: fixed decimals, thousands separators, a thin space before units, UTC times. A missing or
// undefined value shows as an en dash, never as NaN or null.

const NBSP = '\u202f';
const DASH = '–';

const usable = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

// toLocaleString with options builds a new Intl.NumberFormat per call (tens of µs); charts format thousands of values.
const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(min: number, max: number): Intl.NumberFormat {
  const key = `${min}:${max}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max })));
  return format;
}

export function fmtNum(value: number | null | undefined, digits = 2): string {
  if (!usable(value)) return DASH;
  return numberFormat(digits, digits).format(value);
}

export function fmtInt(value: number | null | undefined): string {
  return usable(value) ? numberFormat(0, 0).format(Math.round(value)) : DASH;
}

/** A fraction as percent: 0.1234 → "12.34 %"; `signed` adds "+" to gains. */
export function fmtPct(value: number | null | undefined, digits = 2, signed = false): string {
  if (!usable(value)) return DASH;
  const text = fmtNum(value * 100, digits);
  return `${signed && value > 0 ? '+' : ''}${text}${NBSP}%`;
}

export function fmtUsdt(value: number | null | undefined, digits = 2, signed = false): string {
  if (!usable(value)) return DASH;
  return `${signed && value > 0 ? '+' : ''}${fmtNum(value, digits)}${NBSP}USDT`;
}

/** A price with as many decimals as it needs, up to 8. */
export function fmtPrice(value: number | null | undefined): string {
  if (!usable(value)) return DASH;
  return numberFormat(2, 8).format(value);
}

/** Unix ms as `2024-01-31 08:05Z` (seconds only when they are not zero). */
export function fmtTime(ms: number | null | undefined): string {
  if (!usable(ms)) return DASH;
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(17, 19) === '00' && iso.slice(20, 23) === '000' ? '' : `:${iso.slice(17, 19)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds}Z`;
}

export function fmtDate(ms: number | null | undefined): string {
  return usable(ms) ? new Date(ms).toISOString().slice(0, 10) : DASH;
}

/** A duration in the two largest units: "3 d 4 h", "12 min". */
export function fmtDuration(ms: number | null | undefined): string {
  if (!usable(ms)) return DASH;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.abs(ms);
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length > 0 && parts.length < 2)) {
      if (n > 0) parts.push(`${n}${NBSP}${unit}`);
      rest -= n * size;
    }
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.join(' ') : `0${NBSP}s`;
}

export function fmtMetric(format: MetricFormat, value: number | null | undefined, signed = false): string {
  switch (format) {
    case 'pct':
      return fmtPct(value, 2, signed);
    case 'ratio':
      return usable(value) ? `${signed && value > 0 ? '+' : ''}${fmtNum(value, 2)}` : DASH;
    case 'count':
      return usable(value) ? `${signed && value > 0 ? '+' : ''}${fmtInt(value)}` : DASH;
    case 'usdt':
      return fmtUsdt(value, 2, signed);
    case 'duration':
      return usable(value) ? `${signed && value > 0 ? '+' : signed && value < 0 ? '−' : ''}${fmtDuration(value)}` : DASH;
  }
}

/** A span of whole or tenth days: "90 d", "7.5 d". */
export function fmtDays(ms: number): string {
  return `${fmtNum(ms / 86_400_000, ms % 86_400_000 === 0 ? 0 : 1)}${NBSP}d`;
}

/** The badge tone of a run's, sweep's or walk-forward's status. */
export const statusTone = (status: string): string => (status === 'complete' ? 'good' : status === 'failed' ? 'bad' : 'warn');

/** The badge tone of a decision's outcome: an order placed is good, a refusal or a missing quorum bad. */
export const outcomeTone = (outcome: string): string =>
  outcome === 'ORDER_PLACED' ? 'good' : outcome === 'RISK_DENIED' || outcome === 'HALTED' || outcome === 'ORDER_REJECTED' || outcome === 'NO_QUORUM' ? 'bad' : '';

/** An action as an arrow: ▲ long, ▼ short, · hold. */
export const actionArrow = (action: string): string => (action === 'long' ? '▲' : action === 'short' ? '▼' : '·');

/** "positive" / "negative" / "" for colouring a value (or a difference, given which way is better). */
export function tone(value: number | null | undefined, better: 'higher' | 'lower' | null = 'higher'): string {
  if (!usable(value) || value === 0 || better === null) return '';
  return (value > 0) === (better === 'higher') ? 'positive' : 'negative';
}

/** A sweep's grid value as text: lists (model sets) as `[a,b]`, as the HTML report writes them; a missing one as a dash. */
export const paramText = (value: unknown): string => (Array.isArray(value) ? `[${value.join(',')}]` : value === undefined ? DASH : String(value));

/** A run id's readable tail for legends and tight tables. */
export const shortRun = (runId: string): string => runId.replace(/^run-/, '');
