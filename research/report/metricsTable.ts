import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { YEAR_MS } from '../metrics/returnRatios.ts';
import { formatDuration } from './formatDuration.ts';
import { group, money, percent, ratio, utcMinute } from './formatValues.ts';
import { table, toneOf, type Cell } from './reportHtml.ts';

type MetricKey = keyof RunMetrics;

interface MetricRow {
  label: string;
  key: MetricKey;
  text: (m: RunMetrics, quote: string) => string;
  note?: (m: RunMetrics, quote: string) => string;
  signed?: boolean;
}

/** The metrics of the text report (`formatReport`), in its order, with the same units and notes. */
const ROWS: MetricRow[] = [
  { label: 'Total return', key: 'totalReturn', text: (m) => percent(m.totalReturn), note: (m) => `buy & hold ${percent(m.buyAndHoldReturn)}`, signed: true },
  { label: 'Buy & hold return', key: 'buyAndHoldReturn', text: (m) => percent(m.buyAndHoldReturn), note: () => 'first base open to last base close', signed: true },
  { label: 'Start equity', key: 'startEquity', text: (m, q) => money(m.startEquity, q) },
  { label: 'End equity', key: 'endEquity', text: (m, q) => money(m.endEquity, q) },
  {
    label: 'CAGR',
    key: 'cagr',
    text: (m) => percent(m.cagr),
    note: (m) => {
      const span = m.start !== null && m.end !== null ? m.end - m.start : 0;
      return span > 0 && span < YEAR_MS ? `extrapolated from ${formatDuration(span)}` : '';
    },
    signed: true,
  },
  { label: 'Volatility', key: 'volatility', text: (m) => percent(m.volatility), note: () => 'annualised' },
  { label: 'Sharpe', key: 'sharpe', text: (m) => ratio(m.sharpe), signed: true },
  { label: 'Sortino', key: 'sortino', text: (m) => ratio(m.sortino), note: (m) => (m.sortino === null && m.sharpe !== null ? 'no losing period' : ''), signed: true },
  { label: 'Calmar', key: 'calmar', text: (m) => ratio(m.calmar), note: () => 'CAGR / max drawdown', signed: true },
  {
    label: 'Max drawdown',
    key: 'maxDrawdown',
    text: (m) => percent(m.maxDrawdown > 0 ? -m.maxDrawdown : 0),
    note: (m) => {
      if (m.maxDrawdownPeak === null || m.maxDrawdownTrough === null) return '';
      const until = m.maxDrawdownRecovery === null ? 'not recovered by the end' : `recovered ${utcMinute(m.maxDrawdownRecovery)}`;
      return `peak ${utcMinute(m.maxDrawdownPeak)}, trough ${utcMinute(m.maxDrawdownTrough)}, ${until}`;
    },
  },
  { label: 'Drawdown duration', key: 'maxDrawdownDurationMs', text: (m) => formatDuration(m.maxDrawdownDurationMs), note: () => 'longest time below a previous peak' },
  { label: 'Trades', key: 'trades', text: (m) => group(m.trades, 0) },
  { label: 'Win rate', key: 'winRate', text: (m) => percent(m.winRate), note: () => 'trades with net PnL > 0' },
  { label: 'Profit factor', key: 'profitFactor', text: (m) => ratio(m.profitFactor), note: (m) => (m.profitFactor === null && m.trades > 0 ? 'no losing trade' : 'gross profit / gross loss') },
  { label: 'Expectancy', key: 'expectancy', text: (m, q) => money(m.expectancy, q), note: () => 'net PnL per trade, after fees and funding', signed: true },
  { label: 'Exposure', key: 'exposure', text: (m) => percent(m.exposure), note: () => 'share of decision bars in a position' },
  {
    label: 'Turnover',
    key: 'turnover',
    text: (m) => (m.turnover === null ? 'n/a' : `${group(m.turnover, 2)}×`),
    note: (m) => (m.turnoverAnnualised === null ? 'traded notional / mean equity' : `traded notional / mean equity; ${group(m.turnoverAnnualised, 2)}× per year`),
  },
  { label: 'Traded notional', key: 'tradedNotional', text: (m, q) => money(m.tradedNotional, q) },
  { label: 'Fees paid', key: 'fees', text: (m, q) => money(m.fees, q) },
  { label: 'Funding paid', key: 'fundingPaid', text: (m, q) => money(m.fundingPaid, q), note: (m) => (m.fundingPaid < 0 ? 'net received' : '') },
];

/**
 * The metrics as a table: label, value (rounded, with its unit), note. Each value cell has `data-metric` (the
 * RunMetrics key) and `data-value` (the stored number, exactly as JSON wrote it).
 */
export function metricsTable(metrics: RunMetrics, quote: string): string {
  const rows: Cell[][] = ROWS.map((row) => {
    const raw = metrics[row.key];
    const value = typeof raw === 'number' ? raw : null;
    return [
      row.label,
      { text: row.text(metrics, quote), value: value === null ? 'null' : JSON.stringify(value), tone: row.signed ? toneOf(value) : undefined, attrs: { 'data-metric': row.key } },
      { text: row.note?.(metrics, quote) ?? '', tone: 'muted' },
    ];
  });
  return table([{ label: 'Metric' }, { label: 'Value', numeric: true }, { label: 'Note' }], rows, { className: 'metrics' });
}

/** The annualisation basis, as the text report says it. */
export function annualisationNote(metrics: RunMetrics): string {
  const { periodsPerYear, barMs } = metrics.annualisation;
  return `Annualised on 365 days: ${group(periodsPerYear, 0)} periods of ${formatDuration(barMs)} per year; risk-free rate 0. Ratios from per-bar simple returns of the equity at each decision bar.`;
}
