import { formatReport } from './formatReport.ts';
import { formatDuration } from './formatDuration.ts';
import { group, money, percent, quoteAsset, ratio, utcMinute } from './formatValues.ts';
import { divergingRamp } from './colorRamp.ts';
import type { RunReportData, TradeRow } from './loadRunReport.ts';
import { annualisationNote, metricsTable } from './metricsTable.ts';
import { CATEGORY_COLORS, legendScale, PALETTE, Plot, renderPlot } from './renderPlot.ts';
import { cards, details, escapeHtml, figure, page, paragraph, preformatted, section, table, toneOf, type Cell } from './reportHtml.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface ReportFooter {
  /** When the file was made (the CLI passes the wall clock; research code never reads it). */
  generatedAt?: Date;
  /** `xylen 0.1.0 @ abc123`. */
  generator?: string;
}

/** The HTML report of a finished run: one self-contained page. */
export function runReportHtml(data: RunReportData, footer: ReportFooter = {}): string {
  const { run } = data;
  const d = run.manifest.data;
  const quote = quoteAsset(d.symbol);
  const sections = [
    section('summary', 'Summary', summary(data, quote)),
    section('equity', 'Equity and drawdown against buy-and-hold', equityCharts(data, quote)),
    section('monthly', 'Monthly returns', monthlyHeatmap(data)),
    section('trades', 'Trades', tradeDistribution(data, quote)),
    section('votes', 'Model vote accuracy', votes(data)),
    section('risk', 'Risk events', risk(data)),
    section('manifest', 'Manifest', manifest(data)),
  ];
  return page({
    kind: 'run',
    id: run.runId,
    title: `Run ${run.runId}`,
    subtitle: escapeHtml(
      `${d.market} ${d.symbol} · ${utcMinute(d.from)} → ${utcMinute(d.to)} (${formatDuration(d.to - d.from)}) · ${d.decisionInterval} decisions on ${d.baseInterval} candles · ${run.kind}, ${run.status} · all times UTC`,
    ),
    sections,
    footer: footerText(footer),
  });
}

export function footerText(footer: ReportFooter): string {
  const parts = [footer.generator ? `Made by ${escapeHtml(footer.generator)}` : 'Made by xylen report'];
  if (footer.generatedAt) parts.push(`on ${escapeHtml(utcMinute(footer.generatedAt.getTime()))}`);
  return `${parts.join(' ')}. One self-contained file: no script, no network; charts are static SVG (hover a mark for its exact value).`;
}

function summary(data: RunReportData, quote: string): string {
  const m = data.metrics;
  const headline = cards([
    { label: 'Total return', text: percent(m.totalReturn), value: m.totalReturn, tone: toneOf(m.totalReturn), metric: 'totalReturn' },
    { label: 'Buy & hold', text: percent(m.buyAndHoldReturn), value: m.buyAndHoldReturn, tone: toneOf(m.buyAndHoldReturn), metric: 'buyAndHoldReturn' },
    { label: 'Sharpe', text: ratio(m.sharpe), value: m.sharpe, tone: toneOf(m.sharpe), metric: 'sharpe' },
    { label: 'Max drawdown', text: percent(m.maxDrawdown > 0 ? -m.maxDrawdown : 0), value: m.maxDrawdown, metric: 'maxDrawdown' },
    { label: 'Trades', text: group(m.trades, 0), value: m.trades, metric: 'trades' },
    { label: 'Win rate', text: percent(m.winRate), value: m.winRate, metric: 'winRate' },
    { label: 'End equity', text: money(m.endEquity, quote), value: m.endEquity, metric: 'endEquity' },
  ]);
  const text = formatReport(m, data.run.manifest, {
    runId: data.run.runId,
    kind: data.run.kind,
    status: data.run.status,
    journalHash: data.run.journalHash,
    elapsedMs: data.run.elapsedMs,
  });
  return `${headline}${paragraph(escapeHtml(annualisationNote(m)), 'note')}${metricsTable(m, quote)}${details('The text report, as `xylen runs show` prints it', preformatted(text))}`;
}

function equityCharts(data: RunReportData, quote: string): string {
  const { equity, benchmark } = data;
  if (equity.length === 0) return paragraph('No equity was journaled.', 'note');
  const startEquity = data.metrics.startEquity ?? equity[0]!.equity;
  const benchmarkAt = new Map(benchmark.map((b) => [b.ts, b]));
  const step = Math.max(1, Math.ceil(equity.length / 240));
  const hover = equity.filter((_, i) => i % step === 0 || i === equity.length - 1);
  const series = (name: string) => () => name;
  const label = (p: (typeof equity)[number]) => {
    const b = benchmarkAt.get(p.ts);
    return [
      utcMinute(p.ts),
      `equity ${money(p.equity, quote)} (range ${money(p.low, quote)} … ${money(p.high, quote)})`,
      `drawdown ${percent(p.drawdown)}`,
      ...(b ? [`buy & hold ${money(b.equity, quote)}, drawdown ${percent(b.drawdown)}`] : []),
    ].join('\n');
  };
  const bucket = formatDuration(data.bucketMs);
  const equitySvg = renderPlot({
    height: 320,
    x: { type: 'utc', label: null },
    y: { label: `Equity (${quote})`, grid: true, tickFormat: ',.0f' },
    color: { domain: ['strategy', 'buy & hold'], range: [PALETTE.blue, PALETTE.muted], legend: true },
    marks: [
      Plot.ruleY([startEquity], { stroke: PALETTE.grid, strokeDasharray: '4,3' }),
      Plot.areaY(equity, { x: 'ts', y1: 'low', y2: 'high', fill: PALETTE.blue, fillOpacity: 0.18 }),
      Plot.lineY(benchmark, { x: 'ts', y: 'equity', stroke: series('buy & hold'), strokeWidth: 1.2 }),
      Plot.lineY(equity, { x: 'ts', y: 'equity', stroke: series('strategy'), strokeWidth: 1.6 }),
      Plot.ruleX(hover, { x: 'ts', stroke: PALETTE.blue, strokeOpacity: 0, strokeWidth: 5, title: label }),
    ],
  });
  const drawdownSvg = renderPlot({
    height: 200,
    x: { type: 'utc', label: null },
    y: { label: 'Drawdown (%)', grid: true, tickFormat: (v: number) => `${group(v * 100, 0)}` },
    color: { domain: ['strategy', 'buy & hold'], range: [PALETTE.negative, PALETTE.muted], legend: true },
    marks: [
      Plot.areaY(equity, { x: 'ts', y: 'drawdown', fill: PALETTE.negative, fillOpacity: 0.35 }),
      Plot.lineY(equity, { x: 'ts', y: 'drawdown', stroke: series('strategy'), strokeWidth: 1 }),
      Plot.lineY(benchmark, { x: 'ts', y: 'drawdown', stroke: series('buy & hold'), strokeWidth: 1 }),
      Plot.ruleY([0], { stroke: PALETTE.grid }),
      Plot.ruleX(hover, { x: 'ts', stroke: PALETTE.negative, strokeOpacity: 0, strokeWidth: 5, title: label }),
    ],
  });
  const base = data.benchmarkBase ? `${money(data.benchmarkBase.price, quote)} (${data.benchmarkBase.source})` : 'n/a';
  return (
    figure(
      'equity-chart',
      equitySvg,
      `Equity at each decision bar (${group(data.equityRows, 0)} journal rows), condensed to ${group(equity.length, 0)} buckets of ${bucket}: the line is each bucket's last value, the band its low–high range. Buy-and-hold holds the start equity in ${escapeHtml(data.run.manifest.data.symbol)} from the first base open ${escapeHtml(base)}, unlevered, without fees or funding.`,
    ) +
    figure(
      'drawdown-chart',
      drawdownSvg,
      `Drawdown from the running equity peak; each bucket shows its deepest point, so the lowest point is the run's max drawdown (${percent(-data.metrics.maxDrawdown)}). Grey: buy-and-hold's drawdown.`,
    )
  );
}

function monthlyHeatmap(data: RunReportData): string {
  if (data.monthly.length === 0) return paragraph('No equity was journaled.', 'note');
  const years = [...new Set(data.monthly.map((m) => m.year))];
  const yearly = years.map((year) => {
    const months = data.monthly.filter((m) => m.year === year);
    return { year, value: months.reduce((acc, m) => acc * (1 + m.value), 1) - 1, months: months.length };
  });
  const cells = [
    ...data.monthly.map((m) => ({ x: MONTHS[m.month - 1]!, y: String(m.year), value: m.value, title: `${MONTHS[m.month - 1]} ${m.year}: ${percent(m.value)} (month-end equity ${group(m.endEquity, 2)})` })),
    ...yearly.map((y) => ({ x: 'Year', y: String(y.year), value: y.value, title: `${y.year}: ${percent(y.value)} over ${y.months} month${y.months === 1 ? '' : 's'} in the run` })),
  ];
  const extent = Math.max(0.01, ...data.monthly.map((m) => Math.abs(m.value)));
  const svg = renderPlot({
    height: 60 + 38 * years.length,
    marginLeft: 56,
    x: { domain: [...MONTHS, 'Year'], label: null, axis: 'top', tickSize: 0 },
    y: { type: 'band', domain: years.map(String), label: null, tickSize: 0 },
    color: legendScale({ type: 'quantize', domain: [-extent, extent], range: divergingRamp(11), legend: true, label: 'Monthly return', tickFormat: '+.0%', width: 440 }),
    marks: [
      Plot.cell(cells, { x: 'x', y: 'y', fill: 'value', inset: 1.5, rx: 3, title: 'title' }),
      Plot.text(cells, { x: 'x', y: 'y', text: (c: { value: number }) => `${group(c.value * 100, 1)}%`, fill: PALETTE.text, stroke: '#03050a', strokeWidth: 2.5, paintOrder: 'stroke' }),
    ],
  });
  return figure(
    'monthly-chart',
    svg,
    "Return of each UTC calendar month: its last journaled equity over the previous month's (the start equity for the first month). Equity is stamped at a bar's close, so a value at 00:00 on the 1st closes the month before. Partial months at either end are included as they are; “Year” compounds the months shown.",
  );
}

function tradeDistribution(data: RunReportData, quote: string): string {
  const { trades, tradeGroups } = data;
  if (trades.length === 0) return paragraph('No trade was closed in this run.', 'note');
  const reasons = [...new Set(trades.map((t) => t.exitReason))].sort();
  // Binned here (not by Plot's bin transform) so that the edges are round numbers spanning every trade and zero, and
  // every trade lands in exactly one bar: even a single trade, or trades all alike.
  const lo = Math.min(0, ...trades.map((t) => t.net));
  const hi = Math.max(0, ...trades.map((t) => t.net));
  const step = niceStep(Math.max(hi - lo, 1e-6) / 40);
  const first = Math.floor(lo / step);
  const counts = new Map<string, { side: string; reason: string; x1: number; x2: number; count: number }>();
  for (const t of trades) {
    const k = Math.min(Math.floor(t.net / step), Math.ceil(hi / step) - 1);
    const key = `${t.side}|${t.exitReason}|${k}`;
    const bin = counts.get(key) ?? { side: t.side, reason: t.exitReason, x1: k * step, x2: (k + 1) * step, count: 0 };
    bin.count++;
    counts.set(key, bin);
  }
  const bins = [...counts.values()].sort((a, b) => a.x1 - b.x1 || a.reason.localeCompare(b.reason));
  const svg = renderPlot({
    height: 300,
    marginLeft: 56,
    x: { label: `Net PnL per trade (${quote}, after fees and funding)`, tickFormat: ',.0f', domain: [first * step, Math.ceil(hi / step) * step] },
    y: { label: 'Trades', grid: true },
    fy: { label: null, domain: ['long', 'short'] },
    color: { domain: reasons, range: CATEGORY_COLORS, legend: true },
    marks: [
      Plot.rectY(bins, {
        x1: 'x1',
        x2: 'x2',
        y: 'count',
        fill: 'reason',
        fy: 'side',
        insetLeft: 0.5,
        insetRight: 0.5,
        title: (b: (typeof bins)[number]) => `${b.side} ${b.reason}: ${b.count} trade${b.count === 1 ? '' : 's'} with net PnL ${group(b.x1, 2)} … ${group(b.x2, 2)} ${quote}`,
      }),
      Plot.ruleX([0], { stroke: PALETTE.muted }),
      Plot.ruleY([0], { stroke: PALETTE.grid }),
    ],
  });
  const rows: Cell[][] = tradeGroups.map((g) => [
    g.side,
    g.exitReason,
    { text: group(g.trades, 0), value: g.trades },
    { text: percent(g.wins / g.trades), value: g.wins / g.trades },
    { text: money(g.net, quote), value: g.net, tone: toneOf(g.net) },
    { text: money(g.mean, quote), value: g.mean, tone: toneOf(g.mean) },
    { text: money(g.best, quote), value: g.best },
    { text: money(g.worst, quote), value: g.worst },
  ]);
  const sorted = [...trades].sort((a, b) => b.net - a.net);
  const extremes = [...sorted.slice(0, 5), ...sorted.slice(-5).filter((t) => !sorted.slice(0, 5).includes(t))];
  const tradeRow = (t: TradeRow): Cell[] => [
    t.side,
    utcMinute(t.entryTs),
    utcMinute(t.exitTs),
    t.exitTs === t.entryTs ? 'same bar' : formatDuration(t.exitTs - t.entryTs),
    { text: group(t.entryPrice, 2), value: t.entryPrice },
    { text: group(t.exitPrice, 2), value: t.exitPrice },
    { text: group(t.quantity, 6), value: t.quantity },
    { text: money(t.net, quote), value: t.net, tone: toneOf(t.net) },
    t.exitReason,
  ];
  return (
    figure('trades-chart', svg, 'Histogram of each closed trade’s net PnL (PnL − fees + funding, as the metrics count it), by side (rows) and exit reason (colour). Hover a bar for its count and range.') +
    table(
      [
        { label: 'Side' },
        { label: 'Exit reason' },
        { label: 'Trades', numeric: true },
        { label: 'Win rate', numeric: true },
        { label: `Net PnL`, numeric: true },
        { label: 'Mean', numeric: true },
        { label: 'Best', numeric: true },
        { label: 'Worst', numeric: true },
      ],
      rows,
      { caption: 'Trades by side and exit reason', className: 'trade-groups' },
    ) +
    table(
      [
        { label: 'Side' },
        { label: 'Entry (UTC)' },
        { label: 'Exit (UTC)' },
        { label: 'Held', numeric: true },
        { label: 'Entry price', numeric: true },
        { label: 'Exit price', numeric: true },
        { label: 'Quantity', numeric: true },
        { label: 'Net PnL', numeric: true },
        { label: 'Exit reason' },
      ],
      extremes.map(tradeRow),
      { caption: 'The five best and five worst trades', className: 'trade-extremes' },
    )
  );
}

function votes(data: RunReportData): string {
  const v = data.votes;
  if (v.models.length === 0) return paragraph('No model votes were journaled.', 'note');
  const horizon = `${v.horizon} decision bar${v.horizon === 1 ? '' : 's'} (${formatDuration(v.horizon * data.barMs)})`;
  const definition =
    `<strong>Forward move</strong>: a long vote at a decision is a hit when the close ${escapeHtml(horizon)} later is higher, a short vote when it is lower; ` +
    `hold votes and unchanged closes are not judged. <strong>Chance</strong> is the hit rate the model’s own long/short mix would score in this market ` +
    `(${percent(v.upShare)} of the ${group(v.judgedBars, 0)} judged moves rose). <strong>Trade outcome</strong>: each closed trade is matched to the decision that placed it; ` +
    `a model called it when it voted the trade’s side and the trade won (net PnL &gt; 0), or voted the other side and the trade lost. ` +
    `${group(v.matchedTrades, 0)} of ${group(v.trades, 0)} trades matched their entry decision.`;
  const rows: Cell[][] = v.models.map((m) => [
    m.model,
    { text: group(m.votes, 0), value: m.votes },
    { text: `${group(m.longs, 0)} / ${group(m.shorts, 0)} / ${group(m.holds, 0)}`, value: `${m.longs}/${m.shorts}/${m.holds}` },
    { text: group(m.judged, 0), value: m.judged },
    { text: percent(m.hitRate, 1), value: m.hitRate, tone: m.hitRate !== null && m.baseline !== null ? toneOf(m.hitRate - m.baseline) : undefined },
    { text: percent(m.baseline, 1), value: m.baseline },
    { text: `${group(m.withTradeWon, 0)} / ${group(m.withTrade, 0)}`, value: `${m.withTradeWon}/${m.withTrade}` },
    { text: `${group(m.againstTradeLost, 0)} / ${group(m.againstTrade, 0)}`, value: `${m.againstTradeLost}/${m.againstTrade}` },
    { text: group(m.abstained, 0), value: m.abstained },
    { text: percent(m.tradeAccuracy, 1), value: m.tradeAccuracy },
  ]);
  const chartRows = v.models.flatMap((m) => [
    { model: m.model, measure: 'forward move', value: m.hitRate, chance: m.baseline, detail: `${m.model}: ${percent(m.hitRate, 2)} of ${group(m.judged, 0)} directional votes hit the ${horizon} move (chance ${percent(m.baseline, 2)})` },
    {
      model: m.model,
      measure: 'trade outcome',
      value: m.tradeAccuracy,
      chance: null,
      detail: `${m.model}: called ${percent(m.tradeAccuracy, 2)} of the ${group(m.withTrade + m.againstTrade, 0)} trades it voted on (${m.withTradeWon}/${m.withTrade} with the trade won, ${m.againstTradeLost}/${m.againstTrade} against it lost)`,
    },
  ]).filter((r) => r.value !== null);
  const svg = renderPlot({
    height: 50 + 46 * v.models.length,
    marginLeft: 120,
    x: { domain: [0, 1], label: 'Share of votes that were right', tickFormat: '.0%', grid: true },
    y: { label: null, domain: ['forward move', 'trade outcome'], axis: null },
    fy: { label: null, domain: v.models.map((m) => m.model) },
    color: { domain: ['forward move', 'trade outcome'], range: [PALETTE.blue, PALETTE.violet], legend: true },
    marks: [
      Plot.barX(chartRows, { x: 'value', y: 'measure', fy: 'model', fill: 'measure', title: 'detail', insetTop: 1, insetBottom: 1 }),
      Plot.tickX(
        chartRows.filter((r) => r.chance !== null),
        { x: 'chance', y: 'measure', fy: 'model', stroke: PALETTE.warn, strokeWidth: 2, title: (r: { model: string; chance: number }) => `${r.model}: chance ${percent(r.chance, 2)}` },
      ),
      Plot.ruleX([0.5], { stroke: PALETTE.muted, strokeDasharray: '3,3' }),
    ],
  });
  return (
    paragraph(definition, 'intro') +
    figure('votes-chart', svg, 'Share of votes that were right, per model: blue by the forward move, violet by the trade outcome. Amber tick: chance for the forward move; dashed line: 50 %.') +
    table(
      [
        { label: 'Model' },
        { label: 'Votes', numeric: true },
        { label: 'Long / short / hold', numeric: true },
        { label: 'Judged', numeric: true, title: 'directional votes with a known, non-zero forward move' },
        { label: 'Hit rate', numeric: true },
        { label: 'Chance', numeric: true },
        { label: 'With trade: won / voted', numeric: true },
        { label: 'Against trade: lost / voted', numeric: true },
        { label: 'Abstained', numeric: true, title: 'trades where the model voted hold or did not answer' },
        { label: 'Trade accuracy', numeric: true },
      ],
      rows,
      { className: 'votes' },
    )
  );
}

function risk(data: RunReportData): string {
  if (data.riskRules.length === 0) return paragraph('No risk rule fired in this run.', 'note');
  const summaryTable = table(
    [{ label: 'Rule' }, { label: 'Effect' }, { label: 'Times', numeric: true }, { label: 'First (UTC)' }, { label: 'Last (UTC)' }],
    data.riskRules.map((r) => [r.rule, { text: r.effect, tone: r.effect === 'HALTED' ? 'negative' : 'warn' }, { text: group(r.count, 0), value: r.count }, utcMinute(r.first), utcMinute(r.last)]),
    { className: 'risk-rules' },
  );
  const svg = renderPlot({
    height: 60 + 36 * data.riskRules.length,
    marginLeft: 190,
    x: { type: 'utc', label: null, domain: [data.run.manifest.data.from, data.run.manifest.data.to] },
    y: { label: null, domain: data.riskRules.map((r) => r.rule) },
    marks: [
      Plot.tickX(data.riskEvents, {
        x: 'ts',
        y: 'rule',
        stroke: (e: { effect: string }) => (e.effect === 'HALTED' ? PALETTE.negative : PALETTE.warn),
        strokeWidth: 2,
        title: (e: { ts: number; rule: string; reason: string }) => `${utcMinute(e.ts)} ${e.rule}: ${e.reason}`,
      }),
    ],
  });
  const listed = data.riskEvents.length < data.riskEventsTotal ? `the first ${group(data.riskEvents.length, 0)} of ${group(data.riskEventsTotal, 0)}` : `all ${group(data.riskEventsTotal, 0)}`;
  return (
    summaryTable +
    figure('risk-chart', svg, `When each rule fired (${listed} events drawn); hover a tick for the rule's reason.`) +
    details(
      `Events (${listed})`,
      table(
        [{ label: 'Time (UTC)' }, { label: 'Rule' }, { label: 'Effect' }, { label: 'Reason' }, { label: 'Until (UTC)' }],
        data.riskEvents.map((e) => [utcMinute(e.ts), e.rule, e.effect, e.reason, e.until === null ? '' : utcMinute(e.until)]),
        { className: 'risk-events' },
      ),
    )
  );
}

function manifest(data: RunReportData): string {
  const { run } = data;
  const m = run.manifest;
  const d = m.data;
  const rows: Cell[][] = [
    ['Run', run.runId],
    ['Kind, status', `${run.kind}, ${run.status}`],
    ['Created (UTC)', utcMinute(run.createdAt.getTime())],
    ['Market, symbol', `${d.market} ${d.symbol}`],
    ['Intervals', `${d.baseInterval} base, ${d.decisionInterval} decisions, ${d.contextInterval} context`],
    ['Period (UTC)', `${utcMinute(d.from)} → ${utcMinute(d.to)} (from inclusive, to exclusive)`],
    ['Base bars', { text: group(d.bars, 0), value: d.bars }],
    ['Funding', m.funding.source === 'stored' ? 'stored rates' : `constant ${percent(m.funding.rate, 4)} per 8h (no stored rates for this period)`],
    ['Seed', { text: String(m.seed), value: m.seed }],
    ['Code', `xylen ${m.code.version}${m.code.commit ? ` @ ${m.code.commit}` : ''}`],
    ['Data checksum (SHA-256)', d.checksum],
    ['Journal hash', run.journalHash ?? 'n/a'],
    ['Journal records', { text: group(run.records ?? 0, 0), value: run.records ?? 0 }],
    ['Replay time', run.elapsedMs === null ? 'n/a' : `${group(run.elapsedMs / 1000, 2)} s`],
    ...(d.features ? [['Features', d.features.join(', ')] as Cell[]] : []),
  ];
  const models = table(
    [{ label: 'Model' }, { label: 'Kind' }, { label: 'Version' }],
    m.models.map((model) => [model.name, model.kind, model.version ?? '']),
    { caption: 'Models that voted', className: 'models' },
  );
  return (
    table([{ label: 'Field' }, { label: 'Value' }], rows, { className: 'manifest' }) +
    models +
    details('Effective config (secrets masked)', preformatted(JSON.stringify(m.config, null, 2)))
  );
}


/** The smallest of 1, 2 or 5 × a power of ten that is at least `raw`: a round bin width. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}
