import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../data/index.ts';
import { loadCandles, streamCandles } from '../data/query/index.ts';
import type { SeriesKey } from '../data/index.ts';

const YEAR_OF_MINUTES = 525_600;
const RUNS = 7;
const KEY: SeriesKey = { market: 'synthetic', symbol: 'BENCHUSDT', interval: '1m' };

/**
 * How fast the engine's loader turns a year of 1m candles (all columns) into typed arrays.
 * Target: ≤ 250 ms for `loadCandles`. The rows are built inside DuckDB with range() in a temp store.
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xylen-loadbench-'));
  const store = await Store.open(join(dir, 'bench.duckdb'));
  try {
    await store.connection.run(
      `INSERT INTO candles
       SELECT 'synthetic', 'BENCHUSDT', '1m', 1704067200000 + i * 60000,
              p, p + 1.5, p - 1.5, p + 0.25, 10 + i % 7, (10 + i % 7) * p, i % 500, 5 + i % 3, (5 + i % 3) * p
       FROM (SELECT i, 40000 + 1000 * sin(i / 1000.0) AS p FROM range(${YEAR_OF_MINUTES}) t(i))`,
    );
    await store.connection.run('CHECKPOINT');

    const load = await time(async () => {
      const columns = await loadCandles(store, KEY);
      if (columns.length !== YEAR_OF_MINUTES) throw new Error(`loaded ${columns.length} rows`);
    });
    report('loadCandles (1 year 1m, 10 columns)', load);

    const stream = await time(async () => {
      let rows = 0;
      for await (const batch of streamCandles(store, KEY)) rows += batch.length;
      if (rows !== YEAR_OF_MINUTES) throw new Error(`streamed ${rows} rows`);
    });
    report('streamCandles (batches of 131,072)', stream);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function time(work: () => Promise<void>): Promise<number[]> {
  await work(); // warm-up: first reads page the file in
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

function report(label: string, sorted: number[]): void {
  const min = sorted[0]!;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const rate = (YEAR_OF_MINUTES / (median / 1000) / 1e6).toFixed(2);
  process.stdout.write(`${label}: min ${min.toFixed(1)} ms, median ${median.toFixed(1)} ms, ${rate}M rows/s (${RUNS} runs)\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
