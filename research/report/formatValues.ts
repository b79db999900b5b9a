import { formatTime } from '../../engine/index.ts';


/**
 * How reports write numbers: thousands grouped, fixed decimals, units spelled out, times in UTC. The text report
 * (`formatReport`) and the HTML reports share these so that the two never print the same metric differently.
 */

/** The quote asset of a symbol, for money units (BTCUSDT → USDT); empty when unknown. */
export function quoteAsset(symbol: string): string {
  return /(USDT|USDC|FDUSD|BUSD|USD)$/.exec(symbol)?.[1] ?? '';
}

/** Thousands grouped; beyond a billion (a CAGR extrapolated from minutes) in exponent form. */
export function group(value: number, digits: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'n/a' : value > 0 ? '∞' : '−∞';
  if (Math.abs(value) >= 1e9) return value.toExponential(2);
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A fraction as a percentage (0.1234 → `12.34 %`); `n/a` for null. */
export function percent(value: number | null | undefined, digits = 2): string {
  return value == null ? 'n/a' : `${group(value * 100, digits)} %`;
}

/** A dimensionless ratio (Sharpe, profit factor) with two decimals; `n/a` for null. */
export function ratio(value: number | null | undefined, digits = 2): string {
  return value == null ? 'n/a' : group(value, digits);
}

/** Money in the quote currency: `1,234.56 USDT`. */
export function money(value: number | null | undefined, quote: string, digits = 2): string {
  return value == null ? 'n/a' : `${group(value, digits)} ${quote}`.trim();
}

/** A UTC time to the minute (`2024-05-14 15:35Z`), or to the second when it has seconds (milliseconds are dropped). */
export function utcMinute(ms: number): string {
  const text = new Date(ms).toISOString();
  const seconds = text.slice(17, 19);
  return `${text.slice(0, 10)} ${text.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`}Z`;
}

/** The UTC day of a time: `2024-05-14`. */
export function utcDay(ms: number): string {
  return formatTime(ms).slice(0, 10);
}

/** A UTC time as its day when it is midnight (`2024-05-14`), else to the minute. */
export function utcShort(ms: number): string {
  return ms % 86_400_000 === 0 ? utcDay(ms) : utcMinute(ms);
}
