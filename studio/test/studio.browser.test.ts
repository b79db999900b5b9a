// The studio in Debian's Chromium, end to end: `xylen studio` in a child process over a store made by real replays
// of real BTCUSDT data, real trained models, a real sweep and a real walk-forward, watching a real live process that
// trades against the exchange simulator; every page, the compare flow, champion vs challenger through to the
// promotion and its record, the live page's stream and emergency stop, and the bad cases (unknown run or sweep, no
// store, no runs, a store another process is writing, a live process that is down).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { listModels, modelEvents } from '../../model-servers/registry/index.ts';
import { getRun, getWalkforward, listRuns, loadSweepReport } from '../../research/index.ts';
import { ensureStudioBuilt } from '../index.ts';
import { fmtDate, fmtNum, fmtPct, fmtUsdt } from '../src/lib/format.ts';
import { launchChromium } from './chromium.ts';
import { startLiveHarness, type LiveHarness } from './liveHarness.ts';
import { addSweepAndWalkforward, type ResearchFixture } from './researchFixtures.ts';
import { StoreWriter } from './StoreWriter.ts';
import { startStudioProcess, type StudioProcess } from './studioProcess.ts';
import { buildStudioTestStore, ENSEMBLE_METHODS, MODEL_ID, type StudioTestStore } from './studioTestStore.ts';

const TOKEN = 'test-token-0123456789';
const LIVE_TOKEN = 'live-control-token-9876543210';
let dir: string;
let fixture: StudioTestStore;
let research: ResearchFixture;
let harness: LiveHarness;
let studio: StudioProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xylen-studio-browser-'));
  // The build is normally up to date (.ci/run and `xylen studio` build it); a stale one is rebuilt here, once.
  // The live process (its own store of 1m candles, the simulator) starts meanwhile: the studio is pointed at it.
  [, fixture, harness] = await Promise.all([ensureStudioBuilt(), buildStudioTestStore(dir), startLiveHarness(LIVE_TOKEN)]);
  research = await addSweepAndWalkforward(fixture.dbPath, dir);
  // The studio reads the live token from the variable the live process's config names by default (XYLEN_LIVE_TOKEN).
  studio = await startStudioProcess(fixture.dbPath, { token: TOKEN, liveUrl: harness.controlUrl, env: { XYLEN_LIVE_TOKEN: LIVE_TOKEN } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => {
    throw new Error(`script error in the page: ${error.message}`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await harness?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const runOf = (method: string) => fixture.runs.find((r) => r.method === method)!.runId;
/** The test store, read-only, as the studio reads it. */
async function readStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(fixture.dbPath, { readOnly: true });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
/** The page's text must never look like a stack trace. */
async function expectNoStackTrace(): Promise<void> {
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(text).not.toMatch(/Error: /);
}

describe('runs', () => {
  it('lists every replay with its ensemble method and metrics, sorts by a metric and filters', async () => {
    await page.goto(`${studio.url}/runs`);
    const rows = page.locator('[data-testid=runs-table] tbody tr');
    // The four replays, and the sweep's best configuration journaled as a full run (`--journal 1`).
    expect(await rows.count()).toBe(ENSEMBLE_METHODS.length + research.journaled.length);
    const text = await page.locator('[data-testid=runs-table]').innerText();
    for (const method of ENSEMBLE_METHODS) expect(text).toContain(method);
    expect(text).toMatch(/2024-01-01 → 2024-01-11/);

    await page.getByRole('link', { name: /^Sharpe/ }).click();
    await page.waitForURL(/sort=sharpe/);
    const sharpeColumn = 1 + 6 + 2; // select, run, kind, method, symbol, period, return, buy & hold, then Sharpe
    const sharpes = await page.locator(`[data-testid=runs-table] tbody tr td:nth-child(${sharpeColumn})`).allInnerTexts();
    const values = sharpes.map((s) => Number(s.replace(/[^0-9.-]/g, '')));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const stored = await readStore(async (store) => (await listRuns(store)).map((r) => r.metrics!.sharpe!));
    expect(values).toEqual(stored.map((s) => Number(s.toFixed(2))).sort((a, b) => b - a));

    await page.locator('select[name=method]').selectOption('majority');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/method=majority/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-run')).toBe(runOf('majority'));
  });

  it('shows a run: metrics, equity against buy & hold, candles with trades, paged decisions with every vote, trades, costs, manifest', async () => {
    const runId = runOf('weighted_vote');
    await page.goto(`${studio.url}/runs/${runId}`);
    await page.waitForSelector(`html[data-ready="${runId}"]`);
    expect(await page.evaluate(() => performance.getEntriesByName('xylen:rendered').length)).toBe(1);
    expect(await page.locator('[data-testid=metrics] .card').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('[role=figure][data-rendered] svg').count()).toBeGreaterThanOrEqual(3);
    // Trade marks on the candles: one entry triangle and one exit cross per trade.
    const trades = await page.locator('[data-testid=trades-table] tbody tr').count();
    expect(trades).toBeGreaterThan(0);
    expect(await page.locator('[aria-label="Candles with entries, exits and stops"] g[aria-label=dot] path').count()).toBeGreaterThanOrEqual(2 * trades);

    const table = page.locator('[data-testid=decisions-table]');
    const header = await table.locator('thead').innerText();
    for (const model of ['momentum', 'mean_reversion', 'macd_cross', 'rsi']) expect(header).toContain(model);
    const firstTime = await table.locator('tbody tr:first-child td:first-child').innerText();
    expect(firstTime).toMatch(/^2024-01-01 \d\d:\d\dZ$/);
    await page.getByRole('button', { name: 'next page' }).first().click();
    await expect.poll(() => table.locator('tbody tr:first-child td:first-child').innerText()).not.toBe(firstTime);
    expect(await page.locator('.pager .status').first().innerText()).toMatch(/^26–50 of 2,8\d\d/);
    await page.locator('select').filter({ hasText: 'ORDER_PLACED' }).selectOption('ORDER_PLACED');
    await expect.poll(async () => new Set(await table.locator('tbody .badge').allInnerTexts())).toEqual(new Set(['ORDER_PLACED']));

    expect(await page.getByTestId('seed').innerText()).toBe('42');
    expect(await page.locator('#costs-h').isVisible()).toBe(true);
    await expectNoStackTrace();
  });

  it('answers an unknown run id with a 404 page and a malformed one with a 400, naming them', async () => {
    const unknown = await page.goto(`${studio.url}/runs/run-20990101-000000-ffff`);
    expect(unknown!.status()).toBe(404);
    await expect.poll(() => page.locator('[data-code]').getAttribute('data-code')).toBe('RUN_NOT_FOUND');
    expect(await page.locator('h1').innerText()).toBe('No such run');
    expect(await page.locator('body').innerText()).toContain('xylen runs ls');
    await expectNoStackTrace();

    const malformed = await page.goto(`${studio.url}/runs/not-a-run`);
    expect(malformed!.status()).toBe(400);
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('BAD_RUN_ID');
    await expectNoStackTrace();

    const api = await page.request.get(`${studio.url}/api/runs/run-20990101-000000-ffff/decisions`);
    expect(api.status()).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'RUN_NOT_FOUND' });
  });
});

describe('compare', () => {
  it('compares the four ensemble methods: overlaid curves, metric differences, agreement, the bootstrap test', async () => {
    await page.goto(`${studio.url}/runs`);
    for (const { runId } of fixture.runs) await page.locator(`tr[data-run="${runId}"] input[type=checkbox]`).check();
    await page.getByTestId('compare-selected').click();
    await page.waitForURL(/\/compare\?runs=/);
    await page.waitForSelector('[role=figure][data-rendered] svg');
    const header = await page.locator('[data-testid=compare-metrics] thead').innerText();
    for (const method of ENSEMBLE_METHODS) expect(header).toContain(method);
    // Every pair's agreement, and every run's test against the baseline.
    expect(await page.locator('[data-testid=agreement] tbody tr').count()).toBe(6);
    const tests = page.locator('[data-testid=sharpe-tests] tbody tr');
    expect(await tests.count()).toBe(3);
    for (const p of await tests.locator('td:nth-child(4)').allInnerTexts()) {
      expect(Number(p)).toBeGreaterThan(0);
      expect(Number(p)).toBeLessThanOrEqual(1);
    }
    const shares = await page.locator('[data-testid=agreement] tbody td:nth-child(3)').allInnerTexts();
    for (const share of shares) expect(share).toMatch(/^\d+\.\d\s%$/u);
    await expectNoStackTrace();
  });
});

describe('sweeps and walk-forward', () => {
  it('lists the sweep and the walk-forward', async () => {
    await page.goto(`${studio.url}/sweeps`);
    const sweep = page.locator(`[data-testid=sweeps-table] tr[data-sweep="${research.sweepId}"]`);
    expect(await sweep.innerText()).toMatch(/studio-grid[\s\S]*complete[\s\S]*2024-01-01 → 2024-01-11[\s\S]*ensemble\.threshold \(4\) × risk\.stop_loss_pct \(3\)\s+12\b/);
    const wf = page.locator(`[data-testid=walkforwards-table] tr[data-wf="${research.wfId}"]`);
    expect(await wf.innerText()).toMatch(/complete[\s\S]*2023-12-01 → 2023-12-21[\s\S]*10\s*d \/ 5\s*d \/ 5\s*d · 1\s*d\s+2\b/u);
    await expectNoStackTrace();
  });

  it('shows a sweep: results sorted and paged in SQL, DSR of the best, PBO with its warning and CSCV charts, the heatmap, links to journaled runs', async () => {
    const expected = await readStore((store) => loadSweepReport(store, research.sweepId, { top: 10 }));
    const pbo = expected.summary.pbo!;
    await page.goto(`${studio.url}/sweeps`);
    await page.getByRole('link', { name: 'studio-grid' }).click();
    await page.waitForURL(new RegExp(`/sweeps/${research.sweepId}$`));
    await page.waitForSelector(`html[data-ready^="${research.sweepId}:"]`);

    // Every result, best Sharpe first (ties in grid order), as stored.
    const rows = page.locator('[data-testid=sweep-results] tbody tr');
    const bySharpe = [...expected.results].sort((a, b) => b.metrics.sharpe! - a.metrics.sharpe! || a.index - b.index);
    expect(await rows.count()).toBe(12);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-config'))))).toEqual(bySharpe.map((r) => r.index));
    expect(await rows.locator('td[data-metric=sharpe]').allInnerTexts()).toEqual(bySharpe.map((r) => fmtNum(r.metrics.sharpe)));
    expect(await rows.locator('td[data-metric=totalReturn]').allInnerTexts()).toEqual(bySharpe.map((r) => fmtPct(r.metrics.totalReturn)));

    // DSR of the best and PBO as research/ computes them, and the warning exactly when PBO > 0.5.
    expect(await page.getByTestId('dsr-best').innerText()).toBe(fmtNum(expected.summary.top[0]!.dsr, 3));
    expect(await page.getByTestId('pbo').innerText()).toBe(fmtNum(pbo.pbo, 3));
    expect(await page.getByTestId('pbo-warning').count()).toBe(pbo.pbo > 0.5 ? 1 : 0);
    expect(await page.locator('[data-testid=sweep-top] tbody tr').count()).toBe(10);
    const journaled = research.journaled[0]!.runId;
    expect(await page.locator('[data-testid=sweep-top] tbody tr').first().locator('a').getAttribute('href')).toBe(`/runs/${journaled}`);

    // The CSCV analysis: every split is in the scatter's bins and the logit histogram; PBO is the share at λ ≤ 0.
    const splits = pbo.splits;
    expect(splits).toBe(12_870);
    const sumOf = async (caption: string, column: number) =>
      (await page.locator('table', { has: page.locator(`caption:text-is("${caption}")`) }).locator(`tbody td:nth-child(${column})`).allInnerTexts()).reduce((n, t) => n + Number(t.replace(/,/g, '')), 0);
    for (const summary of await page.locator('[aria-labelledby=pbo-h] details > summary').all()) await summary.click();
    expect(await sumOf('Splits per cell', 3)).toBe(splits);
    expect(await sumOf('Logit histogram', 3)).toBe(splits);
    expect(await page.getByTestId('pbo-share').innerText()).toBe(fmtNum(pbo.pbo, 3));
    expect(await page.locator('[aria-label^="In-sample against out-of-sample"] g[aria-label=rect] rect').count()).toBeGreaterThan(1);

    // The heatmap: a cell per pair of threshold × stop-loss; another metric, then the metric against one key alone.
    const heatmap = page.locator('[aria-label^="Parameter heatmap"]');
    expect(await heatmap.locator('g[aria-label=cell] rect').count()).toBe(12);
    await page.locator('[data-testid=heatmap-controls] select[name=metric]').selectOption('totalReturn');
    await page.waitForURL(/metric=totalReturn/);
    await page.waitForSelector(`html[data-ready="${research.sweepId}:${new URL(page.url()).search}"]`);
    await page.locator('[aria-labelledby=heatmap-h] details > summary').click();
    await page.locator('[aria-labelledby=heatmap-h] details tbody tr').first().waitFor();
    const cells = await page.locator('[aria-labelledby=heatmap-h] details tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    const expectedCells = expected.results.map((r) => [String(r.params['ensemble.threshold']), String(r.params['risk.stop_loss_pct']), fmtPct(r.metrics.totalReturn)]);
    expect(cells.map((c) => c.slice(0, 3)).sort()).toEqual(expectedCells.sort());
    await page.locator('[data-testid=heatmap-controls] select[name=y]').selectOption('');
    await page.waitForURL(/y=&|y=$/);
    await expect.poll(() => page.locator('[aria-label^="Parameter heatmap"] g[aria-label=dot] circle').count()).toBe(4);

    // Sorting by a grid key, in SQL.
    await page.locator('[data-testid=sweep-results] th a', { hasText: 'risk.stop_loss_pct' }).click();
    await page.waitForURL(/sort=param%3Arisk\.stop_loss_pct&dir=asc/);
    const stops = (await rows.locator('td:nth-child(3)').allInnerTexts()).map(Number);
    expect(stops).toEqual([...stops].sort((a, b) => a - b));
    expect(new Set(stops)).toEqual(new Set([0.006, 0.008, 0.01]));

    // A journaled configuration opens its run.
    await rows.getByTestId('result-run').click();
    await page.waitForURL(new RegExp(`/runs/${journaled}$`));
    await page.waitForSelector(`html[data-ready="${journaled}"]`);
    await expectNoStackTrace();
  });

  it('shows a walk-forward: its folds and the stitched out-of-sample equity with fold boundaries', async () => {
    const wf = await readStore((store) => getWalkforward(store, research.wfId));
    await page.goto(`${studio.url}/sweeps`);
    await page.getByRole('link', { name: research.wfId }).click();
    await page.waitForURL(new RegExp(`/walkforward/${research.wfId}$`));
    await page.waitForSelector(`html[data-ready="${research.wfId}"]`);
    expect(await page.getByTestId('wf-metrics').innerText()).toContain(fmtPct(wf.metrics!.totalReturn));
    const folds = page.locator('[data-testid=wf-folds] tbody tr');
    expect(await folds.count()).toBe(wf.folds.length);
    for (const [i, fold] of wf.folds.entries()) {
      const text = await folds.nth(i).innerText();
      expect(text).toContain(`${fmtDate(fold.testFrom)} → ${fmtDate(fold.testTo)}`);
      expect(text).toContain(fmtPct(fold.metrics.totalReturn));
      expect(text).toContain('✓'); // the purge held: the last training label ends before test start − embargo
    }
    const chart = page.locator('[aria-label="Stitched out-of-sample equity with fold boundaries"]');
    expect(await chart.locator('g[aria-label=rule]').first().locator('line').count()).toBe(wf.folds.length);
    expect(await chart.locator('g[aria-label=text] text').evaluateAll((texts) => texts.map((t) => t.textContent))).toEqual(wf.folds.map((f) => `fold ${f.fold}`));
    // The stitched curve ends at the stored out-of-sample equity's last value.
    await page.locator('[aria-labelledby=equity-h] details > summary').click();
    const last = page.locator('[aria-labelledby=equity-h] details tbody tr').last();
    expect(await last.locator('td:nth-child(3)').innerText()).toBe(fmtUsdt(wf.equity.at(-1)!.equity));
    await expectNoStackTrace();
  });

  it('answers an unknown sweep or walk-forward with a 404 page and bad parameters with a 400, naming them', async () => {
    const cases: [string, number, string][] = [
      [`/sweeps/sw-000000000000`, 404, 'SWEEP_NOT_FOUND'],
      [`/walkforward/wf-20990101-000000-ffff`, 404, 'WALKFORWARD_NOT_FOUND'],
      [`/walkforward/not-a-walkforward`, 400, 'BAD_WALKFORWARD_ID'],
      [`/sweeps/${research.sweepId}?sort=nonsense`, 400, 'BAD_SORT'],
      [`/sweeps/${research.sweepId}?x=risk.leverage`, 400, 'BAD_SWEEP_PARAM'],
    ];
    for (const [path, status, code] of cases) {
      const response = await page.goto(`${studio.url}${path}`);
      expect(response!.status(), path).toBe(status);
      expect(await page.locator('[data-code]').getAttribute('data-code'), path).toBe(code);
      await expectNoStackTrace();
    }
    expect(await page.locator('h1').innerText()).toBe('Something is wrong');
    await page.goto(`${studio.url}/sweeps/sw-000000000000`);
    expect(await page.locator('h1').innerText()).toBe('No such sweep');
  });
});

describe('models: champion vs challenger', () => {
  it('refuses actions without the token', async () => {
    await page.goto(`${studio.url}/models`);
    // The walk-forward of the fixture trained models for its folds: registered, but not listed among the models.
    const folds = (await readStore((store) => getWalkforward(store, research.wfId))).folds.flatMap((f) => f.models.map((m) => m.modelId));
    expect(folds.length).toBeGreaterThan(0);
    expect(await page.getByTestId('hidden-fold-models').innerText()).toContain(`${new Set(folds).size} models trained by walk-forward folds are not listed here`);
    expect(await page.locator('section[data-model^="wf-"]').count()).toBe(0);
    expect(await page.locator(`[data-testid=challenge-${MODEL_ID}] button[type=submit]`).isDisabled()).toBe(true);
    const form = { model: MODEL_ID, version: '2', from: '2024-01-01', to: '2024-01-06' };
    const refused = await page.request.post(`${studio.url}/models?/challenge`, { form, headers: { origin: studio.url } });
    expect(refused.status()).toBe(401);
    expect(await refused.text()).toContain('needs the studio’s token');
    const wrong = await page.goto(`${studio.url}/?token=not-the-token`);
    expect(wrong!.status()).toBe(401);
    expect(await page.locator('h1').innerText()).toBe('Token needed');
  });

  it('replays champion and challenger over an out-of-sample period, shows the evidence, promotes, and the registry records it', async () => {
    await page.goto(`${studio.url}/?token=${TOKEN}`);
    await page.waitForURL(/\/runs$/);
    expect(await page.locator('header .badge').innerText()).toBe('actions enabled');

    await page.goto(`${studio.url}/models`);
    const versions = page.locator(`[data-testid=versions-${MODEL_ID}] tbody tr`);
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(0).innerText()).toContain('champion');
    expect(await versions.nth(1).innerText()).toContain('candidate');
    const form = page.getByTestId(`challenge-${MODEL_ID}`);
    await form.locator('select[name=version]').selectOption('2');
    await form.locator('input[name=from]').fill('2024-01-01');
    await form.locator('input[name=to]').fill('2024-01-06');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/\/models\/jobs\//);
    // The job page polls the replays' progress and moves on to the evidence when both are done.
    await page.waitForURL(/\/models\/trend\/promote\?/, { timeout: 90_000 });
    expect(await page.getByTestId('oos').innerText()).toContain('out of sample');
    expect(await page.getByTestId('dsr').innerText()).toMatch(/^\d\.\d{3} .*2 trials/);
    expect(await page.getByTestId('delta-sharpe').innerText()).toMatch(/interval \[-?\d/);

    await page.getByTestId('promote-open').click();
    const dialog = page.getByTestId('promote-dialog');
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.innerText()).toMatch(/DSR \d\.\d{3} over 2 trials/);
    await page.getByTestId('promote-confirm').click();
    await page.waitForURL(/\/models\?promoted=trend%402/);
    expect(await page.getByTestId('promoted').innerText()).toContain('trend@2');
    expect(await versions.nth(0).innerText()).toContain('retired');
    expect(await versions.nth(1).innerText()).toContain('champion');
    expect(await page.getByTestId(`events-${MODEL_ID}`).getByTestId('evidence').innerText()).toMatch(/DSR \d\.\d{3}/);

    // The record itself, read back from the store.
    const store = await Store.open(fixture.dbPath, { readOnly: true });
    try {
      expect((await listModels(store, MODEL_ID)).map((m) => m.status)).toEqual(['retired', 'champion']);
      const event = (await modelEvents(store, MODEL_ID)).at(-1)!;
      const evidence = event.evidence as { runs: { champion: string; challenger: string }; period: { from: number; to: number }; dsr: { trials: number } };
      expect(event).toMatchObject({ event: 'promote', version: 2, previousVersion: 1 });
      expect(evidence.period).toEqual({ market: 'usdm', symbol: 'BTCUSDT', from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 6) });
      expect(evidence.dsr.trials).toBe(2);
      for (const runId of Object.values(evidence.runs)) expect((await getRun(store, runId)).status).toBe('complete');
    } finally {
      store.close();
    }
  }, 120_000);
});

describe('live: the dashboard of a live process trading against the exchange simulator', () => {
  const control = (path: string) => fetch(`${harness.controlUrl}${path}`);
  const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await control('/metrics')).text())?.[1] ?? 0);

  it('updates as the live process decides and trades, without a reload, and never sees the live token', async () => {
    await page.goto(`${studio.url}/?token=${TOKEN}`);
    const response = await page.goto(`${studio.url}/live`);
    expect(await response!.text()).not.toContain(LIVE_TOKEN);
    await expect.poll(() => page.getByTestId('live-status').innerText()).toMatch(/testnet[\s\S]*trading[\s\S]*streaming/);
    const models = await page.locator('[data-testid=live-models] tbody tr').allInnerTexts();
    expect(models.map((m) => m.split(/\s/)[0])).toEqual(['momentum', 'mean_reversion', 'macd_cross', 'rsi']);
    for (const m of models) expect(m).toContain('healthy');
    // A marker on the window: it survives only if the page is never reloaded.
    await page.evaluate(() => ((globalThis as unknown as { xylenMarker: string }).xylenMarker = 'same page'));
    const decisions = page.locator('[data-testid=live-decisions] tbody tr');
    const before = (await decisions.count()) === 0 ? 0 : Number(await decisions.first().getAttribute('data-ts'));

    // The simulator closes bars until the live process has closed a trade (its position opened, then went flat).
    let opened = false;
    await harness.stepUntil(() => (opened ||= harness.sim.venue.account().quantity !== 0) && harness.sim.venue.account().quantity === 0, 3000);
    await harness.step(); // the bar after: the trade's records have reached the control API
    const trades = await metric('xylen_trades_total');
    expect(trades).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.locator('[data-testid=live-trades] tbody tr').count(), { timeout: 15_000 }).toBe(trades);
    await expect.poll(() => page.getByTestId('live-realized').innerText(), { timeout: 10_000 }).toBe(fmtUsdt(await metric('xylen_realized_pnl_usdt'), 2, true));
    // The newest decision shown is the live process's own newest, with every model's vote.
    const [latest] = (await (await control('/decisions?limit=1')).json()) as { ts: number; outcome: string; votes: unknown[] }[];
    await expect.poll(async () => Number(await decisions.first().getAttribute('data-ts')), { timeout: 10_000 }).toBe(latest!.ts);
    expect(latest!.ts).toBeGreaterThan(before);
    expect(await decisions.first().innerText()).toContain(latest!.outcome);
    expect(latest!.votes.length).toBeGreaterThan(0);
    const status = (await (await control('/status')).json()) as { heartbeats: number };
    await expect.poll(() => page.getByTestId('live-heartbeats').innerText(), { timeout: 10_000 }).toBe(status.heartbeats.toLocaleString('en-US'));
    // The PnL chart holds every decision since the start: none lost between the page's load and its stream.
    expect(await page.locator('[aria-labelledby=pnl-h] details > summary').innerText()).toBe(`Exact values (${status.heartbeats} rows)`);
    expect(await page.evaluate(() => (globalThis as unknown as { xylenMarker?: string }).xylenMarker)).toBe('same page');

    // The log stream, filtered by severity and searched.
    const logs = page.getByTestId('live-logs');
    await expect.poll(() => logs.innerText()).toContain('live_started');
    await page.getByTestId('log-level-info').uncheck();
    expect(await logs.locator('li.log.info').count()).toBe(0);
    await page.getByTestId('log-level-info').check();
    await page.locator('input[type=search]').fill('live_started');
    expect(await logs.locator('li.log').count()).toBe(1);
    await page.locator('input[type=search]').fill('');
  }, 120_000);

  it('sends the emergency stop, once confirmed, to the live process: every order cancelled, the position flattened, the process stopped', async () => {
    // A position with its stop-loss and take-profit on the exchange.
    const { sim } = harness;
    await harness.stepUntil(() => sim.venue.account().quantity !== 0 && sim.venue.openOrders(true).length === 2, 3000);
    expect(sim.venue.account().quantity).not.toBe(0);
    await expect.poll(() => page.locator('[data-testid=live-orders] tbody tr').allInnerTexts(), { timeout: 10_000 }).toEqual([expect.stringContaining('stop-loss'), expect.stringContaining('take-profit')]);
    expect(await page.getByTestId('position-side').innerText()).toMatch(/^(long|short) \d/);

    // Asked, then cancelled: nothing reaches the live process.
    const dialog = page.getByTestId('emergency-dialog');
    await page.getByTestId('emergency-open').click();
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.innerText()).toMatch(/cancel every open order[\s\S]*\(2 open now\)[\s\S]*close the position at market \((long|short) \d/);
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    expect(await dialog.isVisible()).toBe(false);
    expect(((await (await control('/status')).json()) as { stopping: boolean }).stopping).toBe(false);

    // Confirmed: the studio sends it with the live token; the live process answers stopped and flattened.
    await page.getByTestId('emergency-open').click();
    await page.getByTestId('emergency-confirm').click();
    await expect.poll(() => page.getByTestId('emergency-result').innerText(), { timeout: 20_000 }).toMatch(/stopped, every order cancelled and the position flattened/);
    await Promise.race([harness.live.done, new Promise((_, reject) => setTimeout(() => reject(new Error('the live process did not stop')), 10_000))]);
    expect(harness.logs).toContainEqual(expect.objectContaining({ event: 'stopping', reason: 'emergency-stop', flatten: true }));
    expect(harness.logs.some((l) => l['event'] === 'flatten_failed')).toBe(false);
    // On the exchange: the protective orders are gone, and the reduce-only market order closes the position at the next bar.
    expect(sim.venue.openOrders(true)).toHaveLength(0);
    await sim.step();
    expect(sim.venue.account().quantity).toBe(0);
    await expect(control('/status')).rejects.toThrow();

    // The page now says the process is gone, and keeps retrying.
    await expect.poll(() => page.locator('[data-state=live-down]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-state=live-down]').innerText()).toMatch(/No live process at http:\/\/127\.0\.0\.1:\d+[\s\S]*Retrying/);
    expect(await page.content()).not.toContain(LIVE_TOKEN);
    await expectNoStackTrace();
  }, 120_000);
});

describe('a store that another process is writing', () => {
  it('shows a busy page that comes back by itself when the writer lets go', async () => {
    const writer = await StoreWriter.start(fixture.dbPath);
    try {
      await writer.hold();
      const busy = await page.goto(`${studio.url}/runs`);
      expect(busy!.status()).toBe(503);
      expect(await page.locator('[data-state=busy] h1').innerText()).toBe('The store is busy');
      expect(await page.locator('[data-state=busy]').innerText()).toMatch(/another process .* is writing to it\. Retrying/);
      const api = await page.request.get(`${studio.url}/api/runs/${runOf('majority')}/trades`);
      expect(api.status()).toBe(503);
      expect(await api.json()).toMatchObject({ code: 'STORE_BUSY' });
      await writer.release();
      await page.waitForSelector('[data-testid=runs-table]', { timeout: 10_000 });
    } finally {
      await writer.stop();
    }
  }, 30_000);
});

describe('no store, no runs', () => {
  it('says how to make a store, then how to make a first run, on every page', async () => {
    const path = join(dir, 'later.duckdb');
    const empty = await startStudioProcess(path, { token: TOKEN });
    try {
      await page.goto(`${empty.url}/runs`);
      expect(await page.locator('[data-state=no-store]').innerText()).toContain('npx xylen replay');
      const models = await page.goto(`${empty.url}/models`);
      expect(models!.status()).toBe(404);
      expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('STORE_MISSING');
      await expectNoStackTrace();

      (await Store.open(path)).close();
      await page.goto(`${empty.url}/runs`);
      expect(await page.locator('[data-state=no-runs]').innerText()).toContain('npx xylen replay --from');
      await page.goto(`${empty.url}/models`);
      expect(await page.locator('[data-state=no-models]').innerText()).toContain('xylen models init');
      await page.goto(`${empty.url}/compare`);
      expect(await page.locator('[data-state=too-few-runs]').isVisible()).toBe(true);
      await page.goto(`${empty.url}/sweeps`);
      expect(await page.locator('[data-state=no-sweeps]').innerText()).toContain('xylen sweep --grid examples/grid.yaml');
      expect(await page.locator('[data-state=no-walkforwards]').innerText()).toContain('xylen walkforward');
      // No live process at its URL: a page that says so and retries, not a blank one.
      await page.goto(`${empty.url}/live`);
      const live = await page.locator('[data-state=live-down]').innerText();
      expect(live).toContain('http://127.0.0.1:9');
      expect(live).toContain('xylen live');
      expect(live).toContain('Retrying');
      await expectNoStackTrace();
    } finally {
      await empty.stop();
    }
  });
});
