import { formatTime } from '../../engine/index.ts';
import type { RunManifest } from '../journal/RunManifest.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { YEAR_MS } from '../metrics/returnRatios.ts';
import { formatDuration } from './formatDuration.ts';
import { group, percent, quoteAsset, ratio } from './formatValues.ts';

/** What is known about the stored run, beside its manifest and metrics. */
export interface ReportRun {
  runId: string;
  kind?: string;
  status?: string;
  journalHash?: string | null;
  elapsedMs?: number | null;
}

const LABEL = 16;
const VALUE = 16;

/**
 * The text block `xylen replay` prints and `xylen runs show` prints again: what was run, then the metrics with their
 * units, times in UTC, and the annualisation basis spelled out.
 */
export function formatReport(metrics: RunMetrics, manifest: RunManifest, run?: ReportRun): string {
  const { data } = manifest;
  const quote = quoteAsset(data.symbol);
  const money = (v: number | null) => (v === null ? 'n/a' : `${group(v, 2)} ${quote}`.trim());
  const lines: string[] = [];
  const line = (label: string, value: string, note = '') => lines.push(`  ${label.padEnd(LABEL)}${value.padStart(VALUE)}${note ? `   ${note}` : ''}`.trimEnd());

  if (run) lines.push(`Run ${run.runId}${run.kind ? ` (${run.kind}${run.status ? `, ${run.status}` : ''})` : ''}`);
  lines.push(`  ${'Data'.padEnd(LABEL)}${data.market} ${data.symbol}: ${data.baseInterval} base, ${data.decisionInterval} decisions, ${data.contextInterval} context`);
  lines.push(`  ${'Period'.padEnd(LABEL)}${formatTime(data.from)} → ${formatTime(data.to)} (${formatDuration(data.to - data.from)}), ${group(data.bars, 0)} bars`);
  lines.push(`  ${'Models'.padEnd(LABEL)}${manifest.models.map((m) => (m.version ? `${m.name}@${m.version}` : m.name)).join(', ') || '(none)'}`);
  lines.push(
    `  ${'Funding'.padEnd(LABEL)}${manifest.funding.source === 'stored' ? 'stored rates' : `constant ${percent(manifest.funding.rate, 4)} per 8h (no stored rates for this period)`}`,
  );
  lines.push(`  ${'Seed, code'.padEnd(LABEL)}${manifest.seed}, xylen ${manifest.code.version}${manifest.code.commit ? ` @ ${manifest.code.commit.slice(0, 10)}` : ''}`);
  lines.push(`  ${'Data checksum'.padEnd(LABEL)}${data.checksum}`);
  if (run?.journalHash) lines.push(`  ${'Journal hash'.padEnd(LABEL)}${run.journalHash}`);

  const { periodsPerYear, barMs } = metrics.annualisation;
  lines.push('', `Performance (annualised on 365 days: ${group(periodsPerYear, 0)} periods of ${formatDuration(barMs)} per year; risk-free rate 0)`);
  line('Total return', percent(metrics.totalReturn), `buy & hold ${percent(metrics.buyAndHoldReturn)}`);
  line('Equity', money(metrics.endEquity), `from ${money(metrics.startEquity)}`);
  const span = metrics.start !== null && metrics.end !== null ? metrics.end - metrics.start : 0;
  line('CAGR', percent(metrics.cagr), span > 0 && span < YEAR_MS ? `extrapolated from ${formatDuration(span)}` : '');
  line('Volatility', percent(metrics.volatility));
  line('Sharpe', ratio(metrics.sharpe));
  line('Sortino', ratio(metrics.sortino), metrics.sortino === null && metrics.sharpe !== null ? 'no losing period' : '');
  line('Calmar', ratio(metrics.calmar));
  line('Max drawdown', percent(metrics.maxDrawdown > 0 ? -metrics.maxDrawdown : 0), drawdownNote(metrics));

  lines.push('', 'Trades');
  line('Trades', group(metrics.trades, 0));
  line('Win rate', percent(metrics.winRate));
  line('Profit factor', ratio(metrics.profitFactor), metrics.profitFactor === null && metrics.trades > 0 ? 'no losing trade' : '');
  line('Expectancy', money(metrics.expectancy), 'net PnL per trade, after fees and funding');
  line('Exposure', percent(metrics.exposure), 'share of decision bars in a position');
  line(
    'Turnover',
    metrics.turnover === null ? 'n/a' : `${group(metrics.turnover, 2)}×`,
    metrics.turnoverAnnualised === null ? 'traded notional / mean equity' : `traded notional / mean equity; ${group(metrics.turnoverAnnualised, 2)}× per year`,
  );
  line('Fees paid', money(metrics.fees));
  line('Funding paid', money(metrics.fundingPaid), metrics.fundingPaid < 0 ? 'net received' : '');
  const risk = Object.entries(metrics.riskEvents ?? {});
  if (risk.length > 0) {
    lines.push('', 'Risk rules that fired');
    const width = Math.max(...risk.map(([rule]) => rule.length)) + 2;
    for (const [rule, { count, effect, first }] of risk.sort((a, b) => a[1].first - b[1].first)) {
      const note = effect === 'HALTED' ? `HALTED trading from ${formatTime(first)}: no new positions after that` : `${effect}, first ${formatTime(first)}`;
      lines.push(`  ${rule.padEnd(width)}${`${group(count, 0)}×`.padStart(6)}   ${note}`);
    }
  }
  if (run?.elapsedMs != null) lines.push('', `Replayed in ${run.elapsedMs < 60_000 ? `${(run.elapsedMs / 1000).toFixed(2)} s` : formatDuration(run.elapsedMs)}`);
  return `${lines.join('\n')}\n`;
}

function drawdownNote(m: RunMetrics): string {
  if (m.maxDrawdownPeak === null || m.maxDrawdownTrough === null) return '';
  const until = m.maxDrawdownRecovery === null ? 'not recovered by the end' : `recovered ${formatTime(m.maxDrawdownRecovery)}`;
  return `peak ${formatTime(m.maxDrawdownPeak)}, trough ${formatTime(m.maxDrawdownTrough)}, ${until}; lasted ${formatDuration(m.maxDrawdownDurationMs)}`;
}
