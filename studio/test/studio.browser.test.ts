// The studio in Debian's Chromium, end to end: `xylen studio` in a child process over a store made by real replays
// of real BTCUSDT data and real trained models; every page, the compare flow, champion vs challenger through to the
// promotion and its record, and the bad cases (unknown run, no store, no runs, a store another process is writing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { listModels, modelEvents } from '../../model-servers/registry/index.ts';
import { getRun } from '../../research/index.ts';
import { ensureStudioBuilt } from '../index.ts';
import { launchChromium } from './chromium.ts';
import { StoreWriter } from './StoreWriter.ts';
import { startStudioProcess, type StudioProcess } from './studioProcess.ts';
import { buildStudioTestStore, ENSEMBLE_METHODS, MODEL_ID, type StudioTestStore } from './studioTestStore.ts';

const TOKEN = 'test-token-0123456789';
let dir: string;
let fixture: StudioTestStore;
let studio: StudioProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xylen-studio-browser-'));
  // The build is normally up to date (.ci/run and `xylen studio` build it); a stale one is rebuilt here, once.
  [, fixture] = await Promise.all([ensureStudioBuilt(), buildStudioTestStore(dir)]);
  studio = await startStudioProcess(fixture.dbPath, { token: TOKEN });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => {
    throw new Error(`script error in the page: ${error.message}`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const runOf = (method: string) => fixture.runs.find((r) => r.method === method)!.runId;
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
    expect(await rows.count()).toBe(ENSEMBLE_METHODS.length);
    const text = await page.locator('[data-testid=runs-table]').innerText();
    for (const method of ENSEMBLE_METHODS) expect(text).toContain(method);
    expect(text).toMatch(/2024-01-01 → 2024-01-11/);

    await page.getByRole('link', { name: /^Sharpe/ }).click();
    await page.waitForURL(/sort=sharpe/);
    const sharpeColumn = 1 + 6 + 2; // select, run, kind, method, symbol, period, return, buy & hold, then Sharpe
    const sharpes = await page.locator(`[data-testid=runs-table] tbody tr td:nth-child(${sharpeColumn})`).allInnerTexts();
    const values = sharpes.map((s) => Number(s.replace(/[^0-9.-]/g, '')));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const stored = await Promise.all(
      fixture.runs.map(async ({ runId }) => {
        const store = await Store.open(fixture.dbPath, { readOnly: true });
        try {
          return (await getRun(store, runId)).metrics!.sharpe!;
        } finally {
          store.close();
        }
      }),
    );
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

describe('sweeps and live', () => {
  it('say what to run when there is nothing to show', async () => {
    await page.goto(`${studio.url}/sweeps`);
    expect(await page.locator('[data-state=no-sweeps]').innerText()).toContain('xylen sweep');
    await page.goto(`${studio.url}/live`);
    const live = await page.locator('[data-state=live-down]').innerText();
    expect(live).toContain('http://127.0.0.1:9');
    expect(live).toContain('xylen live');
  });
});

describe('models: champion vs challenger', () => {
  it('refuses actions without the token', async () => {
    await page.goto(`${studio.url}/models`);
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
      expect(await page.locator('[data-state=no-sweeps]').isVisible()).toBe(true);
      await expectNoStackTrace();
    } finally {
      await empty.stop();
    }
  });
});
