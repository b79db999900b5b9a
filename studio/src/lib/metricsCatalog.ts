/** How a metric is shown: a fraction as percent, a ratio, a count, quote-currency money, a duration. */
export type MetricFormat = 'pct' | 'ratio' | 'count' | 'usdt' | 'duration';

export interface MetricSpec {
  key: string;
  label: string;
  format: MetricFormat;
  /** Which way is better, for colouring differences (null: neither). */
  better: 'higher' | 'lower' | null;
  help?: string;
}

/** The run metrics the studio shows (research/metrics/computeMetrics.ts), in display order. */
export const METRICS: readonly MetricSpec[] = [
  { key: 'totalReturn', label: 'Return', format: 'pct', better: 'higher' },
  { key: 'buyAndHoldReturn', label: 'Buy & hold', format: 'pct', better: null, help: 'the symbol over the same period' },
  { key: 'cagr', label: 'CAGR', format: 'pct', better: 'higher' },
  { key: 'sharpe', label: 'Sharpe', format: 'ratio', better: 'higher', help: 'annualised on 365 days' },
  { key: 'sortino', label: 'Sortino', format: 'ratio', better: 'higher', help: 'annualised on 365 days' },
  { key: 'calmar', label: 'Calmar', format: 'ratio', better: 'higher', help: 'CAGR / max drawdown' },
  { key: 'volatility', label: 'Volatility', format: 'pct', better: 'lower', help: 'annualised' },
  { key: 'maxDrawdown', label: 'Max drawdown', format: 'pct', better: 'lower' },
  { key: 'maxDrawdownDurationMs', label: 'Longest drawdown', format: 'duration', better: 'lower' },
  { key: 'trades', label: 'Trades', format: 'count', better: null },
  { key: 'winRate', label: 'Win rate', format: 'pct', better: 'higher' },
  { key: 'profitFactor', label: 'Profit factor', format: 'ratio', better: 'higher' },
  { key: 'expectancy', label: 'Expectancy', format: 'usdt', better: 'higher', help: 'mean net PnL per trade' },
  { key: 'exposure', label: 'Exposure', format: 'pct', better: null, help: 'share of bars in a position' },
  { key: 'turnoverAnnualised', label: 'Turnover / yr', format: 'ratio', better: null },
  { key: 'fees', label: 'Fees', format: 'usdt', better: 'lower' },
  { key: 'fundingPaid', label: 'Funding paid', format: 'usdt', better: 'lower', help: 'negative = received' },
];

/** The specs of `keys`, in that order (each must be in METRICS). */
export function metricSpecs(keys: readonly string[]): MetricSpec[] {
  return keys.map((key) => METRICS.find((m) => m.key === key)!);
}

/** The metrics a sweep's results table shows and sorts by (RunMetrics keys), in column order: the page and the SQL sort share it. */
export const SWEEP_TABLE_METRICS = ['totalReturn', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'trades', 'winRate', 'profitFactor', 'exposure', 'fees'] as const;
/** Every metric a sweep's heatmap can colour by (the sweep's rankable metrics), in the order the page offers them. */
export const HEATMAP_METRICS = ['sharpe', 'sortino', 'calmar', 'totalReturn', 'cagr', 'maxDrawdown', 'volatility', 'winRate', 'profitFactor', 'expectancy', 'trades', 'exposure', 'fees'] as const;

/** A metric's value from a metrics object (null when absent or not a number). */
export function metricValue(metrics: Record<string, unknown> | null | undefined, key: string): number | null {
  const value = metrics?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
