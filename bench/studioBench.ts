import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../config/index.ts';
import { importPaths, Store } from '../data/index.ts';
import { runStoredReplay } from '../research/replay/runStoredReplay.ts';
import { ensureStudioBuilt, startStudio } from '../studio/index.ts';
import { launchChromium } from '../studio/test/chromium.ts';
import { SHARED_DATA } from '../test/paths.ts';

const VISITS = 5;

/**
 * How fast the studio's run page becomes interactive for a long run: a replay of the real BTCUSDT 5m data
 * 2023-01-01 → 2024-05-14 (~144,000 decisions, ~576,000 votes), then the run page opened VISITS times in Debian's
 * Chromium, each in a fresh browser context (nothing cached in the browser; the studio keeps a finished run's
 * downsampled series after the first open), timed by the browser itself: the navigation entry
 * (first byte, DOM ready) and the page's own 'xylen:rendered' mark, set once the equity, drawdown and candle charts
 * are drawn and the decisions table is live (hydrated). Also the time to fetch a decisions page deep in the run.
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xylen-studiobench-'));
  const dbPath = join(dir, 'bench.duckdb');
  let studio: Awaited<ReturnType<typeof startStudio>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    const built = await ensureStudioBuilt();
    const store = await Store.open(dbPath);
    let runId: string;
    let decisions: number;
    try {
      const data = join(SHARED_DATA, 'binance-usdm', 'BTCUSDT');
      await importPaths(store, [join(data, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv'), join(data, 'BTCUSDT-funding-2023-01-01_2024-05-14.csv')], {});
      const started = performance.now();
      const result = await runStoredReplay(store, configSchema.parse({}), { market: 'usdm', symbol: 'BTCUSDT', from: Date.UTC(2023, 0, 1), to: Date.UTC(2024, 4, 14) });
      runId = result.runId;
      decisions = result.decisions;
      // A short run made after it: the newest, so the studio's start-up warm-up opens that one, not the long run.
      await runStoredReplay(store, configSchema.parse({}), { market: 'usdm', symbol: 'BTCUSDT', from: Date.UTC(2024, 4, 1), to: Date.UTC(2024, 4, 3) });
      console.log(`store: ${decisions.toLocaleString('en-US')} decisions, ${result.metrics.trades} trades, replayed and journaled in ${((performance.now() - started) / 1000).toFixed(1)} s (studio build: ${built})`);
    } finally {
      store.close();
    }

    studio = await startStudio({ dbPath, port: 0 });
    browser = await launchChromium();
    // As a user arrives: the runs list first, then the long run (its series not yet downsampled). The studio warmed
    // its code up at start on the newest run, the short one.
    const warm = await browser.newPage();
    await warm.goto(`${studio.url}runs`);
    await warm.close();
    const url = `${studio.url}runs/${runId}`;
    const rows: { ttfb: number; server: number; head: number; dom: number; rendered: number; bytes: number; plots: string; longest: number }[] = [];
    for (let i = 0; i < VISITS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      // The page's long tasks (hydration, chart drawing), observed from its very start.
      await page.addInitScript(() => {
        const seen: number[] = [];
        (globalThis as unknown as { xylenLongTasks: number[] }).xylenLongTasks = seen;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) seen.push(entry.duration);
        }).observe({ type: 'longtask', buffered: true } as never);
      });
      const response = await page.goto(url);
      await page.waitForSelector(`html[data-ready="${runId}"]`, { timeout: 30_000 });
      const timing = await page.evaluate(() => {
        // (DOM types are not in the project's lib: the page's entries are described here.)
        type Navigation = { responseStart: number; domContentLoadedEventEnd: number; encodedBodySize: number; serverTiming: { name: string; duration: number }[] };
        const nav = performance.getEntriesByType('navigation' as never)[0] as unknown as Navigation;
        const mark = performance.getEntriesByName('xylen:rendered')[0]!;
        const server = nav.serverTiming.find((t) => t.name === 'studio')?.duration ?? Number.NaN;
        const head = nav.serverTiming.find((t) => t.name === 'head')?.duration ?? Number.NaN;
        // PlotFigure measures each chart it draws ("plot <label>").
        const plots = performance
          .getEntriesByType('measure' as never)
          .filter((m) => m.name.startsWith('plot '))
          .map((m) => `${m.name.slice(5).split(' ')[0]!.toLowerCase()} ${Math.round(m.duration)}`)
          .join(', ');
        const longest = Math.max(0, ...(globalThis as unknown as { xylenLongTasks: number[] }).xylenLongTasks);
        return { ttfb: nav.responseStart, server, head, dom: nav.domContentLoadedEventEnd, rendered: mark.startTime, bytes: nav.encodedBodySize, plots, longest };
      });
      if (response?.status() !== 200) throw new Error(`run page answered ${response?.status()}`);
      rows.push(timing);
      console.log(
        `  ${i === 0 ? 'first open' : `reopen ${i}   `}: first byte ${ms(timing.ttfb)} (studio ${ms(timing.server)}, of which the head's queries ${ms(timing.head)}), DOM ready ${ms(timing.dom)}, ` +
          `interactive (charts drawn, hydrated) ${ms(timing.rendered)}; charts drawn in ms: ${timing.plots}; longest task ${ms(timing.longest)}; HTML ${(timing.bytes / 1024).toFixed(0)} KB`,
      );
      if (i === VISITS - 1) {
        const deep = await page.evaluate(async (id) => {
          const times: number[] = [];
          for (const page of [2000, 4000, 5700]) {
            const t = performance.now();
            const r = await fetch(`/api/runs/${id}/decisions?page=${page}&size=25`);
            await r.json();
            times.push(performance.now() - t);
          }
          return times;
        }, runId);
        console.log(`  a decisions page deep in the run (pages 2000, 4000, 5700 of 25): ${deep.map(ms).join(', ')}`);
      }
      await context.close();
    }
    const rendered = rows.map((r) => r.rendered).sort((a, b) => a - b);
    const ttfb = rows.map((r) => r.ttfb).sort((a, b) => a - b);
    console.log(
      `run page of ${decisions.toLocaleString('en-US')} decisions interactive in ${ms(rows[0]!.rendered)} when first opened (its series queried and downsampled), ` +
        `best ${ms(rendered[0]!)} and median ${ms(rendered[Math.floor(VISITS / 2)]!)} over all ${VISITS} opens (target ≤ 1,000 ms); first byte best ${ms(ttfb[0]!)}, median ${ms(ttfb[Math.floor(VISITS / 2)]!)}`,
    );
  } finally {
    await browser?.close();
    await studio?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

if (import.meta.url === `file://${process.argv[1]}`) await run();
