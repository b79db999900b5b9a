import { formatDuration } from './formatDuration.ts';
import { group, money, percent, ratio, utcMinute, utcShort } from './formatValues.ts';
import type { WalkforwardReportData } from './loadWalkforwardReport.ts';
import { annualisationNote, metricsTable } from './metricsTable.ts';
import { PALETTE, Plot, renderPlot } from './renderPlot.ts';
import { cards, escapeHtml, figure, page, paragraph, preformatted, details, section, table, toneOf, type Cell } from './reportHtml.ts';
import { footerText, type ReportFooter } from './runReportHtml.ts';
import { quoteAsset } from './formatValues.ts';

/** The HTML report of a walk-forward analysis: per-fold metrics and the stitched out-of-sample equity with fold boundaries. */
export function walkforwardReportHtml(data: WalkforwardReportData, footer: ReportFooter = {}): string {
  const { wf } = data;
  const quote = quoteAsset(wf.symbol);
  const day = (ms: number) => `${Math.round(ms / 86_400_000)}d`;
  return page({
    kind: 'walkforward',
    id: wf.wfId,
    title: `Walk-forward ${wf.wfId}`,
    subtitle: escapeHtml(
      `${wf.market} ${wf.symbol} · ${utcMinute(wf.from)} → ${utcMinute(wf.to)} · train ${day(wf.trainMs)}, test ${day(wf.testMs)}, step ${day(wf.stepMs)}, embargo ${formatDuration(wf.embargoMs)}${wf.kind ? ` · every model trained as ${wf.kind}` : ''} · ${data.folds.length} folds · all times UTC`,
    ),
    sections: [
      section('summary', 'Out of sample, stitched', summary(data, quote)),
      section('equity', 'Stitched out-of-sample equity', equityChart(data, quote)),
      section('folds', 'Folds', foldsTable(data, quote)),
      section('config', 'Config', details('Effective config of the out-of-sample replays (models replaced by each fold’s)', preformatted(JSON.stringify(wf.config, null, 2)))),
    ],
    footer: footerText(footer),
  });
}

function summary(data: WalkforwardReportData, quote: string): string {
  const m = data.metrics;
  return (
    cards([
      { label: 'Return (out of sample)', text: percent(m.totalReturn), value: m.totalReturn, tone: toneOf(m.totalReturn), metric: 'totalReturn' },
      { label: 'Buy & hold', text: percent(m.buyAndHoldReturn), value: m.buyAndHoldReturn, tone: toneOf(m.buyAndHoldReturn), metric: 'buyAndHoldReturn' },
      { label: 'Sharpe', text: ratio(m.sharpe), value: m.sharpe, tone: toneOf(m.sharpe), metric: 'sharpe' },
      { label: 'Max drawdown', text: percent(-m.maxDrawdown), value: m.maxDrawdown, metric: 'maxDrawdown' },
      { label: 'Trades', text: group(m.trades, 0), value: m.trades, metric: 'trades' },
      { label: 'Folds', text: group(data.folds.length, 0), value: data.folds.length, metric: 'folds' },
    ]) +
    paragraph(
      `Each fold retrains the models on its training window (labels purged: none ends after the test start minus the ${escapeHtml(formatDuration(data.wf.embargoMs))} embargo) and replays the test window that follows with them only. Each test window starts flat from the previous one's final equity, so the windows chain into one out-of-sample curve; these metrics are computed on it. ${escapeHtml(annualisationNote(m))}`,
      'note',
    ) +
    metricsTable(m, quote)
  );
}

function equityChart(data: WalkforwardReportData, quote: string): string {
  if (data.equity.length === 0) return paragraph('No out-of-sample equity was stored.', 'note');
  const folds = data.folds;
  const start = data.equity[0]!.equity;
  const step = Math.max(1, Math.ceil(data.equity.length / 240));
  const hover = data.equity.filter((_, i) => i % step === 0 || i === data.equity.length - 1);
  const title = (p: (typeof data.equity)[number]) => `${utcMinute(p.ts)} (fold ${p.fold})\nequity ${money(p.equity, quote)} (range ${money(p.low, quote)} … ${money(p.high, quote)})\ndrawdown ${percent(p.drawdown)}`;
  const bands = folds.map((f) => ({ ...f, x1: f.testFrom, x2: f.testTo, label: `fold ${f.fold}` }));
  const foldTitle = (f: (typeof bands)[number]) =>
    `fold ${f.fold}: trained ${utcMinute(f.trainFrom)} → ${utcMinute(f.trainTo)}, tested ${utcMinute(f.testFrom)} → ${utcMinute(f.testTo)}\nreturn ${percent(f.metrics.totalReturn)}, Sharpe ${ratio(f.metrics.sharpe)}, ${f.metrics.trades} trades`;
  const equitySvg = renderPlot({
    height: 340,
    x: { type: 'utc', label: null },
    y: { label: `Equity (${quote})`, grid: true, tickFormat: ',.0f' },
    marks: [
      Plot.rectX(bands, { x1: 'x1', x2: 'x2', fill: (f: { fold: number }) => (f.fold % 2 === 0 ? '#0f1a33' : '#0a1226'), fillOpacity: 0.9, title: foldTitle }),
      Plot.ruleX(bands, { x: 'x1', stroke: PALETTE.muted, strokeDasharray: '3,3' }),
      Plot.text(bands, { x: 'x1', text: 'label', frameAnchor: 'top', dx: 4, dy: 4, textAnchor: 'start', fill: PALETTE.muted }),
      Plot.ruleY([start], { stroke: PALETTE.grid, strokeDasharray: '4,3' }),
      Plot.areaY(data.equity, { x: 'ts', y1: 'low', y2: 'high', z: 'fold', fill: PALETTE.blue, fillOpacity: 0.18 }),
      Plot.lineY(data.equity, { x: 'ts', y: 'equity', stroke: PALETTE.blue, strokeWidth: 1.6 }),
      Plot.ruleX(hover, { x: 'ts', stroke: PALETTE.blue, strokeOpacity: 0, strokeWidth: 5, title }),
    ],
  });
  const drawdownSvg = renderPlot({
    height: 180,
    x: { type: 'utc', label: null },
    y: { label: 'Drawdown (%)', grid: true, tickFormat: (v: number) => group(v * 100, 0) },
    marks: [
      Plot.ruleX(bands, { x: 'x1', stroke: PALETTE.muted, strokeDasharray: '3,3' }),
      Plot.areaY(data.equity, { x: 'ts', y: 'drawdown', fill: PALETTE.negative, fillOpacity: 0.35 }),
      Plot.ruleY([0], { stroke: PALETTE.grid }),
      Plot.ruleX(hover, { x: 'ts', stroke: PALETTE.negative, strokeOpacity: 0, strokeWidth: 5, title }),
    ],
  });
  const returns = renderPlot({
    height: 220,
    x: { label: 'Fold', type: 'band' },
    y: { label: 'Out-of-sample return (%)', grid: true, tickFormat: (v: number) => group(v * 100, 0) },
    marks: [
      Plot.barY(folds, { x: (f: { fold: number }) => String(f.fold), y: (f: { metrics: { totalReturn: number | null } }) => f.metrics.totalReturn ?? 0, fill: (f: { metrics: { totalReturn: number | null } }) => ((f.metrics.totalReturn ?? 0) >= 0 ? PALETTE.positive : PALETTE.negative), title: foldTitle }),
      Plot.ruleY([0], { stroke: PALETTE.muted }),
    ],
  });
  return (
    figure(
      'wf-equity-chart',
      equitySvg,
      `The out-of-sample equity of every test window, chained (${group(data.equityRows, 0)} decision marks condensed to buckets of ${escapeHtml(formatDuration(data.bucketMs))}: line = last value, band = low–high). Shaded bands and dashed lines: the folds' test windows; hover a band for the fold's windows and metrics.`,
    ) +
    figure('wf-drawdown-chart', drawdownSvg, 'Drawdown of the stitched equity from its running peak (each bucket at its deepest).') +
    figure('wf-fold-returns', returns, 'Return of each fold’s test window on its own.')
  );
}

function foldsTable(data: WalkforwardReportData, quote: string): string {
  const exact = (v: number | null) => (v === null ? 'null' : JSON.stringify(v));
  const rows: Cell[][] = data.folds.map((f) => [
    f.fold,
    `${utcShort(f.trainFrom)} → ${utcShort(f.trainTo)}`,
    `${utcShort(f.testFrom)} → ${utcShort(f.testTo)}`,
    f.labelEndMax === null ? 'n/a' : utcMinute(f.labelEndMax),
    { text: f.models.map((m) => m.name).join(', '), title: f.models.map((m) => `${m.name}: ${m.modelId} v${m.version}, ${m.kind}, ${group(m.trainingRows, 0)} training rows`).join('\n') },
    { text: percent(f.metrics.totalReturn), value: exact(f.metrics.totalReturn), tone: toneOf(f.metrics.totalReturn), attrs: { 'data-metric': 'totalReturn' } },
    { text: ratio(f.metrics.sharpe), value: exact(f.metrics.sharpe), tone: toneOf(f.metrics.sharpe), attrs: { 'data-metric': 'sharpe' } },
    { text: percent(-f.metrics.maxDrawdown), value: exact(f.metrics.maxDrawdown), attrs: { 'data-metric': 'maxDrawdown' } },
    { text: group(f.metrics.trades, 0), value: f.metrics.trades, attrs: { 'data-metric': 'trades' } },
    { text: percent(f.metrics.winRate), value: exact(f.metrics.winRate), attrs: { 'data-metric': 'winRate' } },
    { text: money(f.metrics.endEquity, quote), value: exact(f.metrics.endEquity), attrs: { 'data-metric': 'endEquity' } },
    { text: percent(f.metrics.buyAndHoldReturn), value: exact(f.metrics.buyAndHoldReturn), tone: toneOf(f.metrics.buyAndHoldReturn), attrs: { 'data-metric': 'buyAndHoldReturn' } },
  ]);
  return table(
    [
      { label: 'Fold', numeric: true },
      { label: 'Train (UTC)' },
      { label: 'Test (UTC)' },
      { label: 'Last training label', title: 'the latest time any training label became known; before test start − embargo' },
      { label: 'Models' },
      { label: 'Return', numeric: true },
      { label: 'Sharpe', numeric: true },
      { label: 'Max DD', numeric: true },
      { label: 'Trades', numeric: true },
      { label: 'Win rate', numeric: true },
      { label: 'End equity', numeric: true },
      { label: 'Buy & hold', numeric: true },
    ],
    rows,
    { className: 'folds', rowAttrs: (i) => ({ 'data-fold': String(data.folds[i]!.fold) }) },
  );
}
