import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median } from './median.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/xylen.js', import.meta.url).pathname;

/**
 * What a user waits for, whole processes from start to exit: `xylen --help` (loading the CLI and what every command
 * imports) and the README's main job, `xylen replay` on a fresh store (90 days of synthetic data generated, replayed,
 * the report printed, the run stored). Median and range of several runs.
 */
async function main(): Promise<void> {
  const help = await times(7, () => run(process.execPath, [BIN, '--help']));
  console.log(`startup: \`xylen --help\`  median ${ms(median(help))} (${ms(Math.min(...help))}–${ms(Math.max(...help))}, ${help.length} runs)`);

  const dir = await mkdtemp(join(tmpdir(), 'xylen-startup-bench-'));
  try {
    let n = 0;
    // A fresh store for each run: the first one of each generates its synthetic data, as on a new machine.
    const fresh = await times(3, () => run(process.execPath, [BIN, '--db', join(dir, `fresh-${n++}.duckdb`), 'replay'], { maxBuffer: 16 << 20 }));
    console.log(`  \`xylen replay\` on an empty store (generates 90 days, replays, stores)  median ${ms(median(fresh))} (${ms(Math.min(...fresh))}–${ms(Math.max(...fresh))})`);
    const db = join(dir, 'fresh-0.duckdb');
    const again = await times(3, () => run(process.execPath, [BIN, '--db', db, 'replay'], { maxBuffer: 16 << 20 }));
    console.log(`  \`xylen replay\` again on that store (replays, stores)  median ${ms(median(again))} (${ms(Math.min(...again))}–${ms(Math.max(...again))})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function times(n: number, work: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await work();
    out.push(performance.now() - started);
  }
  return out;
}

const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;

await main();
