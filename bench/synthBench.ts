import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../data/index.ts';
import { generateSynthetic, importSynthetic } from '../data/synth/index.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

/**
 * `xylen data synth` speed: the pure generator alone (30 days and a year of 1m), then generate and
 * store 30 days of 1m into a fresh store, as the command does (the brief asks for a few seconds).
 */
export async function run(): Promise<void> {
  console.log(`synth: seeded synthetic 1m candles; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  for (const days of [30, 365]) {
    const started = performance.now();
    const { candles } = generateSynthetic({ start: START, end: START + days * DAY, interval: '1m', seed: 42, price: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    console.log(`  generate ${String(days).padStart(3)} days  ${seconds.toFixed(2)} s  ${Math.round(candles.length / seconds).toLocaleString('en-US')} candles/s`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'xylen-synth-bench-'));
  const store = await Store.open(join(dir, 'bench.duckdb'));
  try {
    const started = performance.now();
    const result = await importSynthetic(store, { symbol: 'BTCUSDT', start: START, end: START + 30 * DAY, interval: '1m', seed: 42, price: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    console.log(`  generate + store 30 days  ${seconds.toFixed(2)} s  (${result.candles.rowsAdded.toLocaleString('en-US')} candles, ${result.funding.rowsAdded} funding rates)`);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
