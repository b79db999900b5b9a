import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { XylenError } from '../../engine/index.ts';
import { createSyntheticStore } from '../../research/test/syntheticStore.ts';
import { REPO_ROOT } from '../../test/paths.ts';
import { runXylen } from '../../test/runXylen.ts';
import { runXylenBin } from '../../test/runXylenBin.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 4, 1);
let dir: string;
let db: string;

beforeAll(async () => {
  ({ dir, db } = await createSyntheticStore('xylen-sweep-cli-', { start: START, end: START + 16 * DAY, seed: 5 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const range = ['--from', new Date(START + DAY).toISOString(), '--to', new Date(START + 16 * DAY).toISOString()];

/** Results stored for the sweep so far, read the way the studio would: a read-only open between the sweep's bursts. */
async function storedRows(): Promise<{ count: number; distinct: number } | 'locked'> {
  let store: Store;
  try {
    store = await Store.open(db, { readOnly: true });
  } catch (error) {
    if (error instanceof XylenError && error.code === 'STORE_LOCKED') return 'locked';
    throw error;
  }
  try {
    const [row] = await store.all('SELECT count(*)::INTEGER AS n, count(DISTINCT (sweep_id, config_hash))::INTEGER AS d FROM sweep_results');
    return { count: Number(row!['n']), distinct: Number(row!['d']) };
  } finally {
    store.close();
  }
}

describe('xylen sweep (a real process)', () => {
  it('stops cleanly on SIGINT keeping what finished; the rerun completes with exactly one result per configuration; readers get in between writes', async () => {
    const grid = join(dir, 'interrupt.yaml');
    // Enough configurations that the sweep cannot finish between its third stored result and the signal (the engine
    // replays these 15 days in a few milliseconds, so a small grid could complete before SIGINT lands). The signal
    // follows the sweep's own "N/M configurations stored" line, not a read of the store: a reader can be locked out for
    // several bursts on a busy host, and the sweep went on meanwhile (once to the end, in CI).
    writeFileSync(
      grid,
      'ensemble.method: [weighted_vote, majority, bayesian_weighted, average_confidence]\nensemble.threshold: {from: 0.3, to: 0.5, step: 0.1}\nrisk.leverage: [2, 5]\nrisk.stop_loss_pct: [0.01, 0.015, 0.02, 0.03]\nrisk.take_profit_pct: [0.02, 0.04]\n',
    );
    const CONFIGS = 192;
    const args = ['sweep', '--grid', grid, '--db', db, '--market', 'synthetic', ...range, '--workers', '1', '--flush-ms', '100'];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'xylen.js'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let reportedStored = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const m of stderr.matchAll(/sweep: (\d+)\/\d+ configurations stored/g)) reportedStored = Math.max(reportedStored, Number(m[1]));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    let reads = 0;
    let interruptedAt = -1;
    for (let polls = 0; polls < 1200 && interruptedAt < 0 && child.exitCode === null; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const rows = await storedRows().catch(() => 'locked' as const); // before the sweep's first write the tables may not exist yet
      if (rows !== 'locked') reads++;
      if (reads > 0 && reportedStored >= 3) {
        interruptedAt = reportedStored;
        child.kill('SIGINT');
      }
    }
    const code = await exited;
    expect(interruptedAt).toBeGreaterThanOrEqual(3);
    expect(reads).toBeGreaterThan(0);
    expect(code).toBe(1);
    expect(stderr).toContain('stopping: writing the finished results');
    expect(stderr).toContain('error[SWEEP_INTERRUPTED]');
    const kept = await storedRows();
    if (kept === 'locked') throw new Error('the interrupted sweep left the store locked');
    expect(kept.count).toBeGreaterThanOrEqual(interruptedAt);
    expect(kept.count).toBeLessThan(CONFIGS);
    expect(kept.distinct).toBe(kept.count);

    const rerun = await runXylenBin([...args, '--json'], { env: { XYLEN_DEBUG: '' } });
    expect(rerun.stderr).toContain(`${kept.count} already stored`);
    expect(rerun.code).toBe(0);
    const out = JSON.parse(rerun.stdout) as { status: string; configs: number; skipped: number; stored: number; summary: { pbo: { pbo: number } | null; top: { dsr: number | null }[] } };
    expect(out).toMatchObject({ status: 'complete', configs: CONFIGS, skipped: kept.count, stored: CONFIGS - kept.count });
    expect(out.summary.pbo!.pbo).toBeGreaterThanOrEqual(0);
    expect(out.summary.top[0]!.dsr).not.toBeNull();
    expect(await storedRows()).toEqual({ count: CONFIGS, distinct: CONFIGS });
  });
});

describe('xylen sweep (in process)', () => {
  it('names the grid file, line and key of a bad key, and writes nothing', async () => {
    const grid = join(dir, 'bad.yaml');
    writeFileSync(grid, 'ensemble.method: [majority]\nensemble.treshold: [0.4, 0.5]\n');
    const before = await storedRows();
    const { code, stderr } = await runXylen(['sweep', '--grid', grid, '--db', db, '--market', 'synthetic', ...range]);
    expect(code).toBe(2);
    expect(stderr).toContain(`error[GRID_UNKNOWN_KEY]: ${grid}:2: unknown config key "ensemble.treshold" (did you mean "ensemble.threshold"?)`);
    expect(await storedRows()).toEqual(before);
  });

  it('a missing grid and a directory given as one are input errors', async () => {
    const missing = await runXylen(['sweep', '--grid', join(dir, 'none.yaml'), '--db', db, '--market', 'synthetic', ...range]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('error[GRID_MISSING]: --grid:')]);
    const folder = await runXylen(['sweep', '--grid', dir, '--db', db, '--market', 'synthetic', ...range]);
    expect([folder.code, folder.stderr]).toEqual([2, expect.stringContaining(`error[GRID_UNREADABLE]: ${dir}: a directory, not a grid file`)]);
  });

  it('ls, show and top read the stored sweeps; top shows DSR and PBO', async () => {
    const grid = join(dir, 'small.yaml');
    writeFileSync(grid, 'ensemble.threshold: [0.3, 0.5]\nrisk.stop_loss_pct: [0.005, 0.01]\n');
    const ran = await runXylen(['sweep', '--grid', grid, '--db', db, '--market', 'synthetic', ...range, '--workers', '0', '--name', 'small']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/sweep sw-[0-9a-f]{12} \(small\) complete: 4 configurations replayed/);
    const ls = await runXylen(['sweep', 'ls', '--db', db, '--json']);
    const sweeps = JSON.parse(ls.stdout) as { sweepId: string; name: string; finished: number; configs: number }[];
    const small = sweeps.find((s) => s.name === 'small')!;
    expect(small).toMatchObject({ finished: 4, configs: 4 });
    const show = await runXylen(['sweep', 'show', 'small', '--db', db]);
    expect(show.stdout).toContain(small.sweepId);
    expect(show.stdout.split('\n').filter((l) => /^\s*\d+\s+0\.[35]\s/.test(l))).toHaveLength(4);
    const top = await runXylen(['sweep', 'top', small.sweepId, '--db', db, '--by', 'total_return', '-n', '2']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('best 2 of 4 by totalReturn');
    expect(top.stdout).toMatch(/PBO: \d\.\d{3} \(CSCV, 16 blocks, 12,870 splits\)/);
    expect(top.stdout).toContain('DSR');
    const json = JSON.parse((await runXylen(['sweep', 'top', 'small', '--db', db, '--json'])).stdout) as { top: { rank: number; dsr: number }[] };
    expect(json.top.map((t) => t.rank)).toEqual([1, 2, 3, 4]);
    for (const t of json.top) expect(t.dsr).toBeGreaterThanOrEqual(0);
    const unknown = await runXylen(['sweep', 'top', 'nope', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('SWEEP_NOT_FOUND');
  });
});
