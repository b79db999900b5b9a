import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/index.ts';
import { importPaths, Store } from '../../data/index.ts';
import type { HeartbeatRecord, JournalRecord } from '../../engine/index.ts';
import { SHARED_DATA } from '../../test/paths.ts';
import { runXylen } from '../../test/runXylen.ts';
import { runXylenBin } from '../../test/runXylenBin.ts';
import { DuckDbJournal } from '../journal/DuckDbJournal.ts';
import { readJournal } from '../journal/readJournal.ts';
import { getRun } from '../journal/storedRuns.ts';
import { runStoredReplay } from '../replay/runStoredReplay.ts';
import { parseGrid } from '../sweep/parseGrid.ts';
import { runSweep } from '../sweep/runSweep.ts';
import { summarizeSweep } from '../sweep/summarizeSweep.ts';
import { sweepResults } from '../sweep/sweepTables.ts';
import { withReadOnlyStore } from '../test/withReadOnlyStore.ts';
import { runWalkforward } from '../walkforward/runWalkforward.ts';
import { buildReport } from './buildReport.ts';
import { loadRunReport } from './loadRunReport.ts';
import { loadSweepReport } from './loadSweepReport.ts';
import { sweepReportHtml } from './sweepReportHtml.ts';

// Real Binance BTCUSDT: 5m candles of March–April 2025, 1h context, stored funding.
const FILES = ['BTCUSDT-5m-2025-03-06_2025-04-13.csv', 'BTCUSDT-1h-2019-09-08_2026-05-17.csv', 'BTCUSDT-funding-2019-09-10_2026-05-17.csv'].map((f) =>
  join(SHARED_DATA, 'binance-usdm', 'BTCUSDT', f),
);
const DAY = 86_400_000;
const FROM = Date.UTC(2025, 2, 9);
const TO = Date.UTC(2025, 3, 1);
// A low threshold and tight levels: three weeks with many trades, both sides and both exit reasons, and risk pauses.
const config = configSchema.parse({
  ensemble: { threshold: 0.3 },
  risk: { stop_loss_pct: 0.008, take_profit_pct: 0.012, max_drawdown_pct: 0, max_consecutive_losses: 3, loss_cooldown_hours: 2, max_daily_trades: 1000 },
});
const GRID = 'ensemble.method: [weighted_vote, majority, bayesian_weighted]\nensemble.threshold: [0.2, 0.3]\nrisk.stop_loss_pct: [0.006, 0.01]';

const dir = mkdtempSync(join(tmpdir(), 'xylen-report-'));
const db = join(dir, 'store.duckdb');
let runId: string;
let sweepId: string;
let wfId: string;
const RUNNING = 'run-20250101-000000-aaaa';
const FAILED = 'run-20250101-000000-bbbb';

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await importPaths(store, FILES, {});
    runId = (await runStoredReplay(store, config, { market: 'usdm', symbol: 'BTCUSDT', from: FROM, to: TO })).runId;
    const manifest = (await getRun(store, runId)).manifest;
    await DuckDbJournal.open(store, { runId: RUNNING, kind: 'replay', manifest, createdAt: new Date(Date.UTC(2025, 0, 1)) });
    const failed = await DuckDbJournal.open(store, { runId: FAILED, kind: 'replay', manifest, createdAt: new Date(Date.UTC(2025, 0, 1)) });
    await failed.fail('no candles in range', new Date(Date.UTC(2025, 0, 1)));
    wfId = (
      await runWalkforward(store, {
        market: 'usdm',
        symbol: 'BTCUSDT',
        from: FROM,
        to: FROM + 31 * DAY,
        trainMs: 10 * DAY,
        testMs: 7 * DAY,
        embargoMs: DAY,
        models: [
          { id: 'trend', kind: 'logreg', features: ['ret_12', 'ema_dist_21', 'macd_hist_rel'], label: { kind: 'forward-return', horizon: 12 } },
          { id: 'barrier', kind: 'logreg', features: ['ret_1', 'rsi_14', 'bb_pctb_20'], label: { kind: 'triple-barrier', horizon: 24 } },
        ],
        config: configSchema.parse({ ensemble: { threshold: 0.2, quorum: 1 } }),
        modelsDir: join(dir, 'models'),
        createdAt: new Date(Date.UTC(2025, 0, 2)),
      })
    ).wfId;
  } finally {
    store.close();
  }
  sweepId = (await runSweep({ grid: parseGrid(GRID, 'grid.yaml'), base: config, dbPath: db, market: 'usdm', symbol: 'BTCUSDT', from: FROM, to: TO, workers: 0 })).sweepId;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The store read-only, as the CLI opens it: a report that tried to write would fail. */
const readOnly = <T>(work: (store: Store) => Promise<T>): Promise<T> => withReadOnlyStore(db, work);

const parse = (html: string) => parseHTML(html).document;
type Doc = ReturnType<typeof parse>;
const exact = (text: string | null) => (text === 'null' ? null : Number(text));

/** Nothing the page loads or links to lies outside it. */
function expectSelfContained(html: string, document: Doc): void {
  expect(document.querySelectorAll('script').length).toBe(0);
  expect(document.querySelectorAll('link').length).toBe(0);
  expect(document.querySelectorAll('iframe, object, embed, img').length).toBe(0);
  for (const el of document.querySelectorAll('[src]')) throw new Error(`external src: ${el.getAttribute('src')}`);
  for (const el of document.querySelectorAll('[href], [xlink\\:href]')) {
    const target = el.getAttribute('href') ?? el.getAttribute('xlink:href') ?? '';
    expect(target.startsWith('#'), `href ${target}`).toBe(true);
  }
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
  expect(html).toMatch(/^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
}

/** The shapes of Plot's marks of one kind (their aria-label) in the SVG chart of the figure with that id. */
function marks(document: Doc, figureId: string, mark: string) {
  const figure = document.querySelector(`figure#${figureId}`);
  expect(figure, figureId).not.toBeNull();
  expect(figure!.querySelector('svg'), `${figureId} svg`).not.toBeNull();
  // Plot draws a mark as <g aria-label="line|rect|…"> holding its shapes (in a <g> per facet when faceted).
  const groups = figure!.querySelectorAll(`g[aria-label="${mark}"]`);
  return [...groups].flatMap((g) => [...g.querySelectorAll('rect, path, circle, line, text')]);
}

describe('run report', () => {
  it('holds the charts, shows the stored metrics exactly, and loads nothing from outside', async () => {
    const report = await readOnly((store) => buildReport(store, runId, { generatedAt: new Date(Date.UTC(2025, 5, 1)) }));
    const run = await readOnly((store) => getRun(store, runId));
    const metrics = run.metrics!;
    expect(report).toMatchObject({ kind: 'run', id: runId, charts: 6 });
    const document = parse(report.html);
    expectSelfContained(report.html, document);

    expect(metrics.trades).toBeGreaterThan(20);
    const cells = [...document.querySelectorAll('table.metrics td[data-metric]')];
    expect(cells.length).toBeGreaterThanOrEqual(18);
    for (const cell of cells) {
      const key = cell.getAttribute('data-metric') as keyof typeof metrics;
      expect(exact(cell.getAttribute('data-value')), key).toBe(metrics[key]);
    }
    for (const card of document.querySelectorAll('.card[data-metric]')) {
      const key = card.getAttribute('data-metric') as keyof typeof metrics;
      expect(Number(card.getAttribute('data-value')), key).toBe(metrics[key]);
    }
    expect(document.querySelector('td[data-metric="sharpe"]')!.textContent).toBe(metrics.sharpe!.toFixed(2));
    expect(document.querySelector('details pre')!.textContent).toContain(`Run ${runId} (replay, complete)`);

    expect(marks(document, 'equity-chart', 'line').length).toBe(2); // strategy and buy-and-hold
    expect(marks(document, 'drawdown-chart', 'area').length).toBe(1);
    const hovers = marks(document, 'equity-chart', 'rule').filter((r) => r.querySelector('title'));
    expect(hovers.length).toBeGreaterThan(100);
    expect(hovers[0]!.querySelector('title')!.textContent).toMatch(/^2025-03-09 \d\d:\d\dZ\nequity [\d,]+\.\d\d USDT/);

    // Every month of the run, and its year.
    const monthCells = marks(document, 'monthly-chart', 'cell');
    expect(monthCells.map((c) => c.querySelector('title')!.textContent!.split(':')[0])).toEqual(['Mar 2025', '2025']);

    // The histogram's bars count every trade once.
    const bars = marks(document, 'trades-chart', 'rect');
    const counted = bars.reduce((n, bar) => n + Number(/: (\d+) trades?/.exec(bar.querySelector('title')!.textContent!)![1]), 0);
    expect(counted).toBe(metrics.trades);
    const groups = [...document.querySelectorAll('table.trade-groups tbody tr')];
    expect(groups.reduce((n, tr) => n + Number(tr.children[2]!.getAttribute('data-value')), 0)).toBe(metrics.trades);

    expect(marks(document, 'votes-chart', 'bar').length).toBe(8); // four models × two definitions
    expect(document.querySelector('#votes .intro')!.textContent).toContain('a long vote at a decision is a hit when the close 1 decision bar (5m) later is higher');
    expect(marks(document, 'risk-chart', 'tick').length).toBe(Object.values(metrics.riskEvents).reduce((n, e) => n + e.count, 0));
    expect(document.querySelector('table.manifest')!.textContent).toContain(run.manifest.data.checksum);
    expect(document.querySelector('footer')!.textContent).toContain('2025-06-01 00:00Z');
    expect(report.html.length).toBeLessThan(600_000);
  });

  it('condenses the journal in SQL without changing what it says: drawdown, buy-and-hold and months agree with the metrics', async () => {
    const data = await readOnly((store) => loadRunReport(store, runId, { maxPoints: 300 }));
    const m = data.metrics;
    expect(data.equity.length).toBeLessThanOrEqual(301);
    expect(data.equityRows).toBe(data.run.records! - (await readOnly((s) => readJournal(s, runId))).filter((r) => r.type !== 'heartbeat' && r.type !== 'equity').length);
    expect(Math.min(...data.equity.map((p) => p.drawdown))).toBeCloseTo(-m.maxDrawdown, 12);
    expect(data.equity.at(-1)!.equity).toBe(m.endEquity);
    expect(data.benchmark.at(-1)!.equity / m.startEquity! - 1).toBeCloseTo(m.buyAndHoldReturn!, 12);
    expect(data.benchmarkBase?.source).toBe('first base open');
    const compounded = data.monthly.reduce((e, month) => e * (1 + month.value), 1) - 1;
    expect(compounded).toBeCloseTo(m.totalReturn!, 12);
    expect(data.tradeGroups.reduce((n, g) => n + g.wins, 0) / m.trades).toBeCloseTo(m.winRate!, 12);
  });

  it('vote accuracy equals a count over the journal read back record by record', async () => {
    const journal = await readOnly((store) => readJournal(store, runId));
    const data = await readOnly((store) => loadRunReport(store, runId, { horizon: 3 }));
    const beats = journal.filter((r): r is HeartbeatRecord => r.type === 'heartbeat');
    const trades = journal.filter((r): r is Extract<JournalRecord, { type: 'trade' }> => r.type === 'trade');
    expect(data.votes.models.map((m) => m.model)).toEqual(['macd_cross', 'mean_reversion', 'momentum', 'rsi']);
    for (const model of data.votes.models) {
      let judged = 0;
      let hits = 0;
      beats.forEach((beat, i) => {
        const vote = beat.votes.find((v) => v.model === model.model);
        const later = beats[i + 3];
        if (!vote || vote.action === 'hold' || !later || later.close === beat.close) return;
        judged++;
        if ((vote.action === 'long') === later.close > beat.close) hits++;
      });
      let agreed = 0;
      let called = 0;
      for (const trade of trades) {
        const entry = beats.filter((b) => b.outcome === 'ORDER_PLACED' && b.ts <= trade.entryTs).at(-1)!;
        const vote = entry.votes.find((v) => v.model === model.model);
        if (!vote || vote.action === 'hold') continue;
        agreed++;
        const won = trade.pnl - trade.fees + trade.funding > 0;
        if ((vote.action === trade.side) === won) called++;
      }
      expect(model.judged, model.model).toBe(judged);
      expect(model.hitRate, model.model).toBe(hits / judged);
      expect(model.withTrade + model.againstTrade, model.model).toBe(agreed);
      expect(model.tradeAccuracy, model.model).toBe(called / agreed);
    }
    expect(data.votes.matchedTrades).toBe(trades.length);
  });
});

describe('sweep report', () => {
  it('lists the best configurations with their stored metrics, DSR and PBO, maps two parameters, and plots the CSCV analysis', async () => {
    const report = await readOnly((store) => buildReport(store, sweepId));
    const { results, summary } = await readOnly(async (store) => {
      const stored = await sweepResults(store, sweepId, { returns: true });
      return { results: stored, summary: summarizeSweep(stored, { by: 'sharpe', n: 20, periodMs: 3_600_000 }) };
    });
    expect(results).toHaveLength(12);
    expect(report).toMatchObject({ kind: 'sweep', id: sweepId, charts: 3 });
    const document = parse(report.html);
    expectSelfContained(report.html, document);

    const rows = [...document.querySelectorAll('table.results tbody tr')];
    expect(rows).toHaveLength(12);
    rows.forEach((row, i) => {
      const stored = results.find((r) => r.hash === row.getAttribute('data-config'))!;
      expect(stored.hash).toBe(summary.top[i]!.hash);
      for (const key of ['sharpe', 'totalReturn', 'maxDrawdown', 'trades', 'winRate'] as const) {
        expect(exact(row.querySelector(`td[data-metric="${key}"]`)!.getAttribute('data-value')), key).toBe(stored.metrics[key]);
      }
      expect(exact(row.querySelector('td[data-metric="dsr"]')!.getAttribute('data-value'))).toBe(summary.top[i]!.dsr);
    });
    expect(Number(document.querySelector('.card[data-metric="dsr"]')!.getAttribute('data-value'))).toBe(summary.top[0]!.dsr);
    expect(Number(document.querySelector('.card[data-metric="pbo"]')!.getAttribute('data-value'))).toBe(summary.pbo!.pbo);

    // Default axes: the two keys with the most values (method: 3; threshold and stop-loss: 2 each, file order wins).
    const heat = marks(document, 'heatmap-chart', 'cell');
    expect(heat).toHaveLength(6);
    expect(heat[0]!.querySelector('title')!.textContent).toMatch(/^ensemble\.method=\w+, ensemble\.threshold=0\.\d: mean sharpe -?\d+\.\d\d over 2 configurations/);
    const density = marks(document, 'pbo-scatter', 'rect');
    const splits = density.reduce((n, r) => n + Number(/^([\d,]+) split/.exec(r.querySelector('title')!.textContent!)![1]!.replace(/,/g, '')), 0);
    expect(splits).toBe(12_870);
    expect(marks(document, 'pbo-scatter', 'line')).toHaveLength(1); // the degradation fit
    expect(marks(document, 'pbo-logits', 'rect').length).toBeGreaterThan(1);
    expect(report.html.includes('PBO is ') && report.html.includes('(&gt; 0.5)')).toBe(summary.pbo!.pbo > 0.5);
  });

  it('warns when PBO is above 0.5, and takes its heatmap axes and metric from --x, --y, --metric', async () => {
    const data = await readOnly((store) => loadSweepReport(store, sweepId, { x: 'risk.stop_loss_pct', y: 'ensemble.method', metric: 'total_return' }));
    expect(data.heatmap).toMatchObject({ x: { key: 'risk.stop_loss_pct' }, y: { key: 'ensemble.method' }, metric: 'totalReturn' });
    const overfit = sweepReportHtml({ ...data, summary: { ...data.summary, pbo: { ...data.summary.pbo!, pbo: 0.71 } } });
    const document = parse(overfit);
    expect(document.querySelector('#overfitting .warning')!.textContent).toContain('PBO is 0.71 (> 0.5)');
    expect(marks(document, 'heatmap-chart', 'cell')[0]!.querySelector('title')!.textContent).toMatch(/^risk\.stop_loss_pct=0\.006, ensemble\.method=\w+: mean totalReturn/);
    const fine = parse(sweepReportHtml({ ...data, summary: { ...data.summary, warnings: [], pbo: { ...data.summary.pbo!, pbo: 0.2 } } }));
    expect(fine.querySelector('#overfitting .warning')).toBeNull();
  });
});

describe('walk-forward report', () => {
  it('tabulates every fold with its stored metrics and draws the stitched equity with the fold boundaries', async () => {
    const report = await readOnly((store) => buildReport(store, wfId));
    const document = parse(report.html);
    expectSelfContained(report.html, document);
    const folds = await readOnly(async (store) => (await import('../walkforward/walkforwardTables.ts')).getWalkforward(store, wfId));
    expect(folds.folds.length).toBe(3);
    const rows = [...document.querySelectorAll('table.folds tbody tr')];
    expect(rows.map((r) => Number(r.getAttribute('data-fold')))).toEqual([0, 1, 2]);
    rows.forEach((row, i) => {
      for (const key of ['totalReturn', 'sharpe', 'trades', 'endEquity'] as const) {
        expect(exact(row.querySelector(`td[data-metric="${key}"]`)!.getAttribute('data-value')), key).toBe(folds.folds[i]!.metrics[key]);
      }
    });
    for (const cell of document.querySelectorAll('table.metrics td[data-metric]')) {
      const key = cell.getAttribute('data-metric') as keyof NonNullable<typeof folds.metrics>;
      expect(exact(cell.getAttribute('data-value')), key).toBe(folds.metrics![key]);
    }
    expect(marks(document, 'wf-equity-chart', 'line')).toHaveLength(1);
    const boundaries = [...document.querySelectorAll('#wf-equity-chart g[aria-label="rule"][stroke-dasharray="3,3"] line')];
    expect(boundaries).toHaveLength(3);
    expect(marks(document, 'wf-equity-chart', 'text').map((t) => t.textContent)).toEqual(['fold 0', 'fold 1', 'fold 2']);
    expect(marks(document, 'wf-fold-returns', 'bar')).toHaveLength(3);
  });
});

describe('xylen report', () => {
  it('writes the file for an id or `latest`, and says what it wrote', async () => {
    const out = join(dir, 'run.html');
    const written = await runXylen(['--db', db, 'report', runId, '--out', out, '--json']);
    expect(written.code, written.stderr).toBe(0);
    const summary = JSON.parse(written.stdout) as { kind: string; id: string; path: string; bytes: number; charts: number };
    expect(summary).toMatchObject({ kind: 'run', id: runId, path: out, charts: 6 });
    expect(readFileSync(out).length).toBe(summary.bytes);
    const latest = await runXylen(['--db', db, 'report', 'latest', '--kind', 'sweep', '--out', join(dir, 'sweep.html')]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).toMatch(new RegExp(`^wrote .*sweep\\.html \\(\\d+ kB\\): sweep ${sweepId}, 3 charts`));
  });

  it('refuses bad input with a clear error, exit code 2, and no file', async () => {
    const before = readdirSync(dir).sort();
    const cases: [string[], string, RegExp][] = [
      [['report', 'run-20990101-000000-ffff', '--out', join(dir, 'a.html')], 'RUN_NOT_FOUND', /no run run-20990101-000000-ffff/],
      [['report', 'no-such-thing', '--out', join(dir, 'a.html')], 'REPORT_TARGET_UNKNOWN', /"no-such-thing" is not a run, sweep or walk-forward/],
      [['report', RUNNING, '--out', join(dir, 'a.html')], 'RUN_NOT_FINISHED', /is still running .* no metrics to report/],
      [['report', FAILED, '--out', join(dir, 'a.html')], 'RUN_FAILED', /failed: no candles in range/],
      [['report', runId, '--out', join(dir, 'missing', 'a.html')], 'REPORT_DIR_MISSING', /the directory .*missing does not exist/],
      [['report', sweepId, '--x', 'risk.leverage', '--out', join(dir, 'a.html')], 'BAD_SWEEP_PARAM', /no grid key "risk.leverage"/],
      [['report', runId, '--metric', 'sharpe', '--out', join(dir, 'a.html')], 'CONFLICTING_FLAGS', /choose a sweep report's heatmap/],
      [['report', runId, '--kind', 'sweep', '--out', join(dir, 'a.html')], 'CONFLICTING_FLAGS', /is a run id, not a sweep/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runXylen(['--db', db, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(`error[${code}]`);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('hint:');
    }
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    // The real process exits with the code too.
    const bin = await runXylenBin(['--db', db, 'report', FAILED, '--out', join(dir, 'a.html')]);
    expect(bin.code).toBe(2);
    expect(bin.stderr).toContain('error[RUN_FAILED]');
  });
});
