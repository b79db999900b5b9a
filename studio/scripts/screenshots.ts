// `npm run studio:screenshots`: PNGs of every studio page for the README, taken in headless Chromium over a store
// made like the test store (real BTCUSDT data, the four ensemble methods, two model versions, a sweep and a
// walk-forward), a champion vs challenger comparison started and promoted through the pages themselves, and a live
// process trading against the exchange simulator (then stopped through the page). Writes docs/screenshots/*.png.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../../test/paths.ts';
import { ensureStudioBuilt } from '../index.ts';
import { launchChromium } from '../test/chromium.ts';
import { startLiveHarness } from '../test/liveHarness.ts';
import { addSweepAndWalkforward } from '../test/researchFixtures.ts';
import { StoreWriter } from '../test/StoreWriter.ts';
import { startStudioProcess } from '../test/studioProcess.ts';
import { buildStudioTestStore, MODEL_ID } from '../test/studioTestStore.ts';

const OUT = join(REPO_ROOT, 'docs', 'screenshots');
const TOKEN = 'screenshots';
const dir = mkdtempSync(join(tmpdir(), 'xylen-screenshots-'));
mkdirSync(OUT, { recursive: true });
await ensureStudioBuilt();
const fixture = await buildStudioTestStore(dir, { period: { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 2, 1) } });
const research = await addSweepAndWalkforward(fixture.dbPath, dir);
const LIVE_TOKEN = 'screenshots-live-token';
const live = await startLiveHarness(LIVE_TOKEN);
const studio = await startStudioProcess(fixture.dbPath, { token: TOKEN, liveUrl: live.controlUrl, env: { XYLEN_LIVE_TOKEN: LIVE_TOKEN } });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });

async function shot(name: string, options: { scrollTo?: string; height?: number } = {}): Promise<void> {
  await page.waitForTimeout(250);
  if (options.scrollTo) await page.locator(options.scrollTo).first().scrollIntoViewIfNeeded();
  const path = join(OUT, `${name}.png`);
  if (options.height) {
    const top = options.scrollTo ? Number(await page.evaluate('window.scrollY')) : 0;
    await page.screenshot({ path, clip: { x: 0, y: top, width: 1280, height: options.height }, fullPage: true });
  } else await page.screenshot({ path });
  console.log(`${path}  ${(statSync(path).size / 1024).toFixed(0)} KB`);
}
const ready = (p: Page, runId: string) => p.waitForSelector(`html[data-ready="${runId}"]`);

try {
  const runs = fixture.runs;
  await page.goto(`${studio.url}/?token=${TOKEN}`);
  await page.goto(`${studio.url}/runs`);
  await shot('runs');

  const run = runs[0]!.runId;
  await page.goto(`${studio.url}/runs/${run}`);
  await ready(page, run);
  await shot('run', { height: 1300 });
  await page.locator('#decisions-h').scrollIntoViewIfNeeded();
  await page.evaluate('window.scrollBy(0, -20)');
  await shot('run-decisions');

  await page.goto(`${studio.url}/compare?runs=${runs.map((r) => r.runId).join(',')}`);
  await page.waitForSelector('[role=figure][data-rendered]');
  await shot('compare', { height: 1250 });

  await page.goto(`${studio.url}/models`);
  const form = page.getByTestId(`challenge-${MODEL_ID}`);
  await form.locator('input[name=from]').fill('2024-01-01');
  await form.locator('input[name=to]').fill('2024-02-01');
  await shot('models');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/models\/jobs\//);
  await page.waitForFunction('Number(document.querySelector("progress")?.value) > 0.4', undefined, { timeout: 60_000, polling: 50 }).catch(() => undefined);
  await shot('model-job');
  await page.waitForURL(/\/promote\?/, { timeout: 120_000 });
  await page.waitForSelector('[role=figure][data-rendered]');
  await shot('promote', { height: 1150 });
  await page.getByTestId('promote-open').click();
  await shot('promote-confirm');
  await page.getByTestId('promote-confirm').click();
  await page.waitForURL(/promoted=/);
  await shot('models-promoted');

  await page.goto(`${studio.url}/sweeps`);
  await shot('sweeps', { height: 620 });
  await page.goto(`${studio.url}/sweeps/${research.sweepId}`);
  await page.waitForSelector(`html[data-ready^="${research.sweepId}:"]`);
  await shot('sweep', { height: 1400 });
  await page.locator('#heatmap-h').scrollIntoViewIfNeeded();
  await page.evaluate('window.scrollBy(0, -20)');
  await shot('sweep-heatmap-pbo', { scrollTo: '#heatmap-h', height: 1250 });
  await page.goto(`${studio.url}/walkforward/${research.wfId}`);
  await page.waitForSelector(`html[data-ready="${research.wfId}"]`);
  await shot('walkforward', { height: 1250 });

  // The live process trades a while (two trades closed, a position open with its protection), the page watching.
  await page.goto(`${studio.url}/live`);
  let closed = 0;
  let was = 0;
  await live.stepUntil(() => {
    const q = live.sim.venue.account().quantity;
    if (was !== 0 && q === 0) closed++;
    was = q;
    return closed >= 2 && q !== 0 && live.sim.venue.openOrders(true).length === 2;
  }, 5000);
  for (let i = 0; i < 5; i++) await live.step();
  await page.waitForSelector('[data-testid=live-trades] tbody tr');
  await page.waitForTimeout(800);
  await shot('live', { height: 1500 });
  await page.getByTestId('emergency-open').click();
  await shot('live-emergency-stop');
  await page.getByTestId('emergency-confirm').click();
  await page.waitForSelector('[data-state=live-down]', { timeout: 20_000 });
  await shot('live-down', { height: 620 });
  await page.goto(`${studio.url}/runs/run-20990101-000000-ffff`);
  await shot('not-found', { height: 560 });
  const writer = await StoreWriter.start(fixture.dbPath);
  await writer.hold();
  await page.goto(`${studio.url}/runs`);
  await shot('busy', { height: 560 });
  await writer.release();
  await writer.stop();
  await page.setViewportSize({ width: 420, height: 860 });
  await page.goto(`${studio.url}/runs/${run}`);
  await ready(page, run);
  await shot('run-narrow');
} finally {
  await browser.close();
  await studio.stop();
  await live.stop();
  rmSync(dir, { recursive: true, force: true });
}
