/** The annualisation basis of every Xylen metric: crypto trades all year, so a year is 365 days of bars. */
export const YEAR_MS = 365 * 86_400_000;

/** Bars per year for a bar length: 365·86,400,000 / bar ms (105,120 for 5m bars). */
export function periodsPerYear(barMs: number): number {
  return YEAR_MS / barMs;
}

/** Simple returns between consecutive equity values: r[i] = e[i+1] / e[i] − 1. */
export function periodReturns(equity: ArrayLike<number>): Float64Array {
  const returns = new Float64Array(Math.max(0, equity.length - 1));
  for (let i = 1; i < equity.length; i++) returns[i - 1] = equity[i]! / equity[i - 1]! - 1;
  return returns;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample standard deviation (n − 1), as empyrical and pandas compute it. */
export function standardDeviation(values: ArrayLike<number>): number {
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Annualised Sharpe ratio with a zero risk-free rate: mean(r) / sd(r) · √periodsPerYear, sd with n − 1.
 * null when it is undefined (fewer than two returns, or no variation at all).
 */
export function sharpeRatio(returns: ArrayLike<number>, perYear: number): number | null {
  if (returns.length < 2) return null;
  const sd = standardDeviation(returns);
  return sd > 0 && Number.isFinite(sd) ? (mean(returns) / sd) * Math.sqrt(perYear) : null;
}

/**
 * Annualised Sortino ratio with a zero target: mean(r) / DD · √periodsPerYear, where the downside deviation
 * DD = √(Σ min(r, 0)² / n) runs over all n periods, not only the losing ones (Sortino & Price 1994; the worked
 * example in Rollinger & Hoffman, "Sortino: a 'sharper' ratio", Red Rock Capital; empyrical's downside_risk).
 * null when undefined (fewer than two returns, or no losing period).
 */
export function sortinoRatio(returns: ArrayLike<number>, perYear: number): number | null {
  if (returns.length < 2) return null;
  let squares = 0;
  for (let i = 0; i < returns.length; i++) squares += Math.min(returns[i]!, 0) ** 2;
  const downside = Math.sqrt(squares / returns.length);
  return downside > 0 ? (mean(returns) / downside) * Math.sqrt(perYear) : null;
}

/** Annualised volatility: sd(r) · √periodsPerYear. */
export function annualVolatility(returns: ArrayLike<number>, perYear: number): number | null {
  return returns.length < 2 ? null : standardDeviation(returns) * Math.sqrt(perYear);
}

/** Compound annual growth over `years`: (1 + total)^(1/years) − 1; null for an empty period. */
export function compoundAnnualGrowth(totalReturn: number, years: number): number | null {
  return years > 0 ? (1 + totalReturn) ** (1 / years) - 1 : null;
}
