import type { RunMetrics } from '../metrics/computeMetrics.ts';
import type { StoredSweepResult } from '../sweep/sweepTables.ts';
import { sequentialRamp, divergingRamp } from './colorRamp.ts';
import { formatDuration } from './formatDuration.ts';
import { group, percent, ratio, utcMinute } from './formatValues.ts';
import type { SweepAxis, SweepReportData } from './loadSweepReport.ts';
import { legendScale, PALETTE, Plot, renderPlot } from './renderPlot.ts';
import { cards, escapeHtml, figure, page, paragraph, section, table, toneOf, warning, type Cell } from './reportHtml.ts';
import { footerText, type ReportFooter } from './runReportHtml.ts';

/** Metrics shown as percentages (fractions stored); the rest are ratios or counts. */
const PERCENT_METRICS = new Set<keyof RunMetrics>(['totalReturn', 'cagr', 'maxDrawdown', 'volatility', 'winRate', 'exposure']);

/** A grid value as text: lists (model sets) as `[a,b]`. */
export function paramText(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(',')}]` : String(value);
}

function metricText(key: keyof RunMetrics, value: number | null): string {
  if (value === null) return 'n/a';
  if (PERCENT_METRICS.has(key)) return percent(key === 'maxDrawdown' ? -value : value);
  if (key === 'trades') return group(value, 0);
  if (key === 'maxDrawdownDurationMs') return formatDuration(value);
  return ratio(value);
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The HTML report of a sweep: results, parameter heatmap, DSR of the best, PBO with its CSCV scatter and logits. */
export function sweepReportHtml(data: SweepReportData, footer: ReportFooter = {}): string {
  const { sweep } = data;
  const sections = [
    section('summary', 'Summary', summary(data)),
    section('results', `Top ${data.summary.top.length} of ${data.results.length} configurations by ${data.summary.by}`, resultsTable(data)),
    section('heatmap', 'Parameter heatmap', heatmap(data)),
    section('overfitting', 'Backtest overfitting (PBO by CSCV)', overfitting(data)),
    section('grid', 'Grid', gridTable(data)),
  ];
  return page({
    kind: 'sweep',
    id: sweep.sweepId,
    title: `Sweep ${sweep.name} (${sweep.sweepId})`,
    subtitle: escapeHtml(
      `${sweep.market} ${sweep.symbol} · ${utcMinute(sweep.from)} → ${utcMinute(sweep.to)} (${formatDuration(sweep.to - sweep.from)}) · ${sweep.finished} of ${sweep.configs} configurations · ${sweep.status} · return periods of ${formatDuration(sweep.periodMs)} · all times UTC`,
    ),
    sections,
    footer: footerText(footer),
  });
}

function summary(data: SweepReportData): string {
  const { summary: s, sweep } = data;
  const best = s.top[0];
  const parts: string[] = [];
  if (sweep.status !== 'complete') {
    parts.push(
      warning(
        `this sweep is ${sweep.status}: ${sweep.finished} of ${sweep.configs} configurations are stored, and every figure here covers those only (rerun the sweep command to complete it)`,
      ),
    );
  }
  for (const w of s.warnings) parts.push(warning(w));
  parts.push(
    cards([
      { label: 'Configurations', text: `${group(s.trials, 0)} / ${group(sweep.configs, 0)}`, value: s.trials, metric: 'trials' },
      { label: `Best ${s.by}`, text: best ? metricText(s.by, best.value) : 'n/a', value: best?.value ?? null, metric: 'bestValue' },
      { label: 'DSR of the best', text: best?.dsr == null ? 'n/a' : ratio(best.dsr, 3), value: best?.dsr ?? null, tone: best?.dsr == null ? undefined : best.dsr >= 0.95 ? 'positive' : 'warn', metric: 'dsr' },
      { label: 'PSR of the best', text: best?.psr == null ? 'n/a' : ratio(best.psr, 3), value: best?.psr ?? null, metric: 'psr' },
      { label: 'PBO', text: s.pbo ? ratio(s.pbo.pbo, 3) : 'n/a', value: s.pbo?.pbo ?? null, tone: s.pbo ? (s.pbo.pbo > 0.5 ? 'negative' : 'positive') : undefined, metric: 'pbo' },
      { label: 'P(loss out of sample)', text: s.pbo ? ratio(s.pbo.lossProbability, 3) : 'n/a', value: s.pbo?.lossProbability ?? null, metric: 'lossProbability' },
      { label: 'Degradation slope', text: s.pbo?.slope == null ? 'n/a' : ratio(s.pbo.slope, 3), value: s.pbo?.slope ?? null, metric: 'slope' },
    ]),
  );
  const expected = s.expectedMaxSharpe === null ? 'n/a' : ratio(s.expectedMaxSharpe);
  parts.push(
    paragraph(
      `<strong>DSR</strong> (Deflated Sharpe Ratio, Bailey &amp; López de Prado 2014) is the probability that the best configuration's true Sharpe ratio is above the Sharpe ratio the best of ${group(s.trials, 0)} unskilled trials would show by luck (${escapeHtml(expected)}, annualised), given the length, skewness and kurtosis of its ${escapeHtml(formatDuration(sweep.periodMs))} returns; below 0.95 it is not significant. ` +
        `<strong>PBO</strong> (Probability of Backtest Overfitting, Bailey, Borwein, López de Prado &amp; Zhu 2017) is the share of the ${s.pbo ? group(s.pbo.splits, 0) : 'n/a'} in-sample/out-of-sample splits of the ${data.partitions} time blocks in which the configuration with the best in-sample Sharpe ranks in the bottom half out of sample; above 0.5, choosing by backtest is worse than choosing at random.` +
        (s.pboUnavailable ? ` PBO could not be computed: ${escapeHtml(s.pboUnavailable)}.` : ''),
      'note',
    ),
  );
  return parts.join('');
}

function resultsTable(data: SweepReportData): string {
  const { summary: s, axes } = data;
  const columns = [
    { label: 'Rank', numeric: true },
    { label: 'Config', numeric: true, title: 'index in the grid, in file order' },
    ...axes.map((a) => ({ label: a.key })),
    { label: 'Sharpe', numeric: true },
    { label: 'Return', numeric: true },
    { label: 'Max DD', numeric: true },
    { label: 'Trades', numeric: true },
    { label: 'Win rate', numeric: true },
    { label: 'Profit factor', numeric: true },
    { label: `Sharpe (${formatDuration(data.sweep.periodMs)} returns)`, numeric: true, title: 'annualised Sharpe of the stored per-period returns, the series DSR and PBO read' },
    { label: 'PSR', numeric: true, title: 'probability that the true Sharpe ratio is above 0' },
    { label: 'DSR', numeric: true, title: 'probability that the true Sharpe ratio is above the best of the trials by luck' },
    { label: 'Run' },
  ];
  const exact = (v: number | null) => (v === null ? 'null' : JSON.stringify(v));
  const rows: Cell[][] = s.top.map((r) => [
    r.rank,
    r.index,
    ...axes.map((a) => paramText(r.params[a.key])),
    { text: ratio(r.metrics.sharpe), value: exact(r.metrics.sharpe), tone: toneOf(r.metrics.sharpe), attrs: { 'data-metric': 'sharpe' } },
    { text: percent(r.metrics.totalReturn), value: exact(r.metrics.totalReturn), tone: toneOf(r.metrics.totalReturn), attrs: { 'data-metric': 'totalReturn' } },
    { text: percent(-r.metrics.maxDrawdown), value: exact(r.metrics.maxDrawdown), attrs: { 'data-metric': 'maxDrawdown' } },
    { text: group(r.metrics.trades, 0), value: r.metrics.trades, attrs: { 'data-metric': 'trades' } },
    { text: percent(r.metrics.winRate), value: exact(r.metrics.winRate), attrs: { 'data-metric': 'winRate' } },
    { text: ratio(r.metrics.profitFactor), value: exact(r.metrics.profitFactor), attrs: { 'data-metric': 'profitFactor' } },
    { text: ratio(r.periodSharpe), value: exact(r.periodSharpe), attrs: { 'data-metric': 'periodSharpe' } },
    { text: r.psr === null ? 'n/a' : ratio(r.psr, 3), value: exact(r.psr), attrs: { 'data-metric': 'psr' } },
    { text: r.dsr === null ? 'n/a' : ratio(r.dsr, 3), value: exact(r.dsr), tone: r.dsr === null ? undefined : r.dsr >= 0.95 ? 'positive' : 'warn', attrs: { 'data-metric': 'dsr' } },
    r.runId ?? '',
  ]);
  return table(columns, rows, { className: 'results', rowAttrs: (i) => ({ 'data-config': s.top[i]!.hash }) });
}

function heatmap(data: SweepReportData): string {
  const h = data.heatmap;
  if (!h) return paragraph('The grid has no key with more than one value: there is nothing to map.', 'note');
  const metric = h.metric;
  const value = (r: StoredSweepResult) => num(r.metrics[metric]);
  const key = (v: unknown) => paramText(v);
  const xDomain = h.x.values.map(key);
  if (!h.y) {
    const points = data.results.map((r) => ({ x: key(r.params[h.x.key]), v: value(r), title: `${describe(r, data.axes)}: ${metric} ${metricText(metric, value(r))}` })).filter((p) => p.v !== null);
    const means = xDomain.map((x) => {
      const vs = points.filter((p) => p.x === x).map((p) => p.v!);
      return { x, v: vs.length > 0 ? vs.reduce((a, b) => a + b, 0) / vs.length : null, n: vs.length };
    }).filter((m) => m.v !== null);
    const svg = renderPlot({
      height: 320,
      x: { domain: xDomain, label: h.x.key },
      y: { label: metric, grid: true },
      marks: [
        Plot.dot(points, { x: 'x', y: 'v', fill: PALETTE.blue, fillOpacity: 0.6, r: 3.5, title: 'title' }),
        Plot.line(means, { x: 'x', y: 'v', stroke: PALETTE.warn, strokeWidth: 1.5 }),
        Plot.dot(means, { x: 'x', y: 'v', fill: PALETTE.warn, r: 4.5, title: (m: { x: string; v: number; n: number }) => `${h.x.key}=${m.x}: mean ${metric} ${metricText(metric, m.v)} over ${m.n} configurations` }),
      ],
    });
    return figure('heatmap-chart', svg, `${escapeHtml(metric)} of every configuration against ${escapeHtml(h.x.key)} (the only grid key with more than one value); amber: the mean over the configurations of each value.`);
  }
  const yKey = h.y.key;
  const yDomain = h.y.values.map(key);
  const cells = new Map<string, { x: string; y: string; values: number[]; best: StoredSweepResult | null }>();
  for (const r of data.results) {
    const x = key(r.params[h.x.key]);
    const y = key(r.params[yKey]);
    const id = `${x}\u0000${y}`;
    const cell = cells.get(id) ?? { x, y, values: [], best: null };
    const v = value(r);
    if (v !== null) {
      cell.values.push(v);
      if (cell.best === null || v > num(cell.best.metrics[metric])!) cell.best = r;
    }
    cells.set(id, cell);
  }
  const rows = [...cells.values()]
    .filter((c) => c.values.length > 0)
    .map((c) => {
      const mean = c.values.reduce((a, b) => a + b, 0) / c.values.length;
      return {
        x: c.x,
        y: c.y,
        mean,
        n: c.values.length,
        title: `${h.x.key}=${c.x}, ${yKey}=${c.y}: mean ${metric} ${metricText(metric, mean)} over ${c.values.length} configuration${c.values.length === 1 ? '' : 's'} (min ${metricText(metric, Math.min(...c.values))}, max ${metricText(metric, Math.max(...c.values))})`,
      };
    });
  const values = rows.map((r) => r.mean);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const signed = lo < 0 && hi > 0 && (metric === 'sharpe' || metric === 'sortino' || metric === 'calmar' || metric === 'totalReturn' || metric === 'cagr' || metric === 'expectancy');
  const extent = Math.max(Math.abs(lo), Math.abs(hi), 1e-12);
  const color = signed
    ? { type: 'quantize' as const, domain: [-extent, extent], range: divergingRamp(9) }
    : { type: 'quantize' as const, domain: [lo, hi === lo ? lo + 1e-12 : hi], range: sequentialRamp(7) };
  const svg = renderPlot({
    height: Math.min(720, 80 + 34 * yDomain.length),
    marginLeft: Math.min(260, 24 + 7 * Math.max(...yDomain.map((v) => v.length), yKey.length)),
    x: { domain: xDomain, label: h.x.key, axis: 'top', tickSize: 0 },
    y: { type: 'band', domain: yDomain, label: yKey, tickSize: 0 },
    color: legendScale({ ...color, legend: true, label: `mean ${metric}`, width: 440, tickFormat: (v: number) => metricText(metric, v) }),
    marks: [
      Plot.cell(rows, { x: 'x', y: 'y', fill: 'mean', inset: 1.5, rx: 3, title: 'title' }),
      ...(xDomain.length * yDomain.length <= 400
        ? [Plot.text(rows, { x: 'x', y: 'y', text: (r: { mean: number }) => metricText(metric, r.mean), fill: PALETTE.text, stroke: '#03050a', strokeWidth: 2.5, paintOrder: 'stroke' })]
        : []),
    ],
  });
  const others = data.axes.filter((a) => a.key !== h.x.key && a.key !== yKey && a.values.length > 1);
  return figure(
    'heatmap-chart',
    svg,
    `Mean ${escapeHtml(metric)} of the configurations at each pair of ${escapeHtml(h.x.key)} × ${escapeHtml(yKey)}${others.length > 0 ? `, averaged over ${others.map((a) => `${escapeHtml(a.key)} (${a.values.length} values)`).join(', ')}` : ''}; hover a cell for the count, min and max. Choose the axes and metric with <code>--x</code>, <code>--y</code>, <code>--metric</code>.`,
  );
}

function overfitting(data: SweepReportData): string {
  const s = data.summary;
  const o = data.overfitting;
  if (!s.pbo || !o) return paragraph(`PBO could not be computed${s.pboUnavailable ? `: ${escapeHtml(s.pboUnavailable)}` : ''}.`, 'note');
  const parts: string[] = [];
  if (s.pbo.pbo > 0.5) parts.push(warning(`PBO is ${s.pbo.pbo.toFixed(2)} (> 0.5): the configuration that looks best in sample ranks in the bottom half out of sample more often than not — the top of this table is more likely luck than skill`));
  const n = o.inSample.length;
  const points = Array.from({ length: n }, (_, k) => ({ is: o.inSample[k]!, oos: o.outOfSample[k]!, config: o.selected[k]!, logit: o.logits[k]! }));
  const isLo = Math.min(...o.inSample);
  const isHi = Math.max(...o.inSample);
  const fit = s.pbo.slope !== null && s.pbo.intercept !== null ? [isLo, isHi].map((x) => ({ x, y: s.pbo!.intercept! + s.pbo!.slope! * x })) : [];
  const scatterMarks =
    n <= 1500
      ? [Plot.dot(points, { x: 'is', y: 'oos', r: 2.5, fill: (p: { logit: number }) => (p.logit <= 0 ? PALETTE.negative : PALETTE.blue), fillOpacity: 0.7, title: (p: (typeof points)[number]) => `config #${p.config}: in sample ${ratio(p.is)}, out of sample ${ratio(p.oos)}, logit ${ratio(p.logit)}` })]
      : [
          Plot.rect(
            points,
            Plot.bin<Plot.RectOptions>(
              { fill: 'count', title: (v: typeof points, e: { x1: number; x2: number; y1: number; y2: number }) => `${group(v.length, 0)} split${v.length === 1 ? '' : 's'}: in-sample Sharpe ${ratio(e.x1)} … ${ratio(e.x2)}, out of sample ${ratio(e.y1)} … ${ratio(e.y2)}` },
              { x: 'is', y: 'oos', thresholds: 36, inset: 0 },
            ),
          ),
        ];
  const scatter = renderPlot({
    height: 380,
    x: { label: 'In-sample Sharpe of the in-sample best (annualised)', grid: true },
    y: { label: 'Its out-of-sample Sharpe', grid: true },
    color: n <= 1500 ? undefined : legendScale({ type: 'quantize', range: sequentialRamp(7), legend: true, label: 'splits per cell', width: 360, tickFormat: ',.0f' }),
    marks: [Plot.ruleY([0], { stroke: PALETTE.muted }), ...scatterMarks, Plot.line(fit, { x: 'x', y: 'y', stroke: PALETTE.warn, strokeWidth: 1.5, strokeDasharray: '5,3' })],
  });
  const negative = points.filter((p) => p.logit <= 0).length;
  const histogram = renderPlot({
    height: 260,
    x: { label: 'Logit λ of the out-of-sample relative rank of the in-sample best', grid: false },
    y: { label: 'Share of splits', grid: true, tickFormat: '.0%' },
    color: { domain: ['λ ≤ 0: bottom half out of sample', 'λ > 0: top half'], range: [PALETTE.negative, PALETTE.blue], legend: true },
    marks: [
      Plot.rectY(
        points,
        Plot.binX<Plot.RectYOptions>(
          {
            y: 'proportion',
            title: (v: typeof points, e: { x1: number; x2: number }) => `${group(v.length, 0)} split${v.length === 1 ? '' : 's'} (${percent(v.length / n)}) with λ in ${ratio(e.x1)} … ${ratio(e.x2)}`,
          },
          { x: 'logit', fill: (p: { logit: number }) => (p.logit <= 0 ? 'λ ≤ 0: bottom half out of sample' : 'λ > 0: top half'), thresholds: 30, inset: 0.5 },
        ),
      ),
      Plot.ruleX([0], { stroke: PALETTE.warn, strokeWidth: 1.5 }),
      Plot.ruleY([0], { stroke: PALETTE.grid }),
    ],
  });
  const counts = new Map<number, number>();
  for (const p of points) counts.set(p.config, (counts.get(p.config) ?? 0) + 1);
  const chosen = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  const chosenTable = table(
    [{ label: 'Config', numeric: true }, { label: 'Parameters' }, { label: 'Chosen in sample', numeric: true }, { label: 'Share of splits', numeric: true }],
    chosen.map(([column, count]) => {
      const r = data.results[column]!; // CSCV's columns are the results in the order given (grid order)
      return [r.index, describe(r, data.axes), { text: group(count, 0), value: count }, { text: percent(count / n, 1), value: count / n }];
    }),
    { caption: 'Configurations most often best in sample', className: 'pbo-chosen' },
  );
  parts.push(
    figure(
      'pbo-scatter',
      scatter,
      `Each of the ${group(n, 0)} CSCV splits (${data.partitions} blocks of the ${escapeHtml(formatDuration(data.sweep.periodMs))} returns, half in sample) picks the configuration with the best in-sample Sharpe; this plots its in-sample Sharpe against its out-of-sample Sharpe${n > 1500 ? ' (binned: cell colour = number of splits)' : ''}. Dashed amber: the OLS fit, slope ${s.pbo.slope === null ? 'n/a' : ratio(s.pbo.slope, 3)} (the degradation slope; a negative slope means in-sample gains turn into out-of-sample losses).`,
    ),
    figure(
      'pbo-logits',
      histogram,
      `Distribution of λ = ln(ω / (1 − ω)), ω the out-of-sample rank of the in-sample best divided by N + 1 (N = ${group(data.results.length, 0)} configurations). PBO is the share at λ ≤ 0: ${group(negative, 0)} of ${group(n, 0)} splits = ${ratio(s.pbo.pbo, 3)}.`,
    ),
    chosenTable,
  );
  return parts.join('');
}

function gridTable(data: SweepReportData): string {
  const rows: Cell[][] = data.axes.map((a) => [a.key, { text: group(a.values.length, 0), value: a.values.length }, a.values.map(paramText).join(', ')]);
  return (
    paragraph(`Grid file <code>${escapeHtml(data.sweep.grid.file)}</code>; data checksum <code>${escapeHtml(data.sweep.dataChecksum)}</code>; created ${escapeHtml(utcMinute(data.sweep.createdAt.getTime()))}, updated ${escapeHtml(utcMinute(data.sweep.updatedAt.getTime()))}.`, 'note') +
    table([{ label: 'Key' }, { label: 'Values', numeric: true }, { label: 'Swept over' }], rows, { className: 'grid-axes' })
  );
}

function describe(r: StoredSweepResult, axes: readonly SweepAxis[]): string {
  return `#${r.index} ${axes.map((a) => `${a.key}=${paramText(r.params[a.key])}`).join(', ')}`;
}
