import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { importSynthetic } from '../../data/synth/index.ts';
import { formatTime, XylenError } from '../../engine/index.ts';
import { checkLookahead } from '../../research/replay/checkLookahead.ts';
import { replayInputs } from '../../research/replay/replayInputs.ts';
import { stampedOneBarEarly, syntheticInputs, testConfig } from '../../research/replay/test/syntheticInputs.ts';
import { formatLookaheadResult, lookaheadDetected } from './check.ts';
import { runXylen } from '../../test/runXylen.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-check-'));
const db = join(dir, 'store.duckdb');
const DAY = 86_400_000;
const start = Date.UTC(2024, 4, 1);
const end = start + 5 * DAY;

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await importSynthetic(store, { symbol: 'BTCUSDT', start, end, interval: '1m', seed: 3, price: 60_000 });
  } finally {
    store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `xylen check …` in-process through the real program. */
const check = (args: string[]) => runXylen(['--db', db, 'check', ...args]);

interface CheckJson {
  market: string;
  symbol: string;
  from: number;
  to: number;
  passed: boolean;
  results: { t: number; time: string; status: string; compared: number; futureChanged: boolean }[];
}

describe('xylen check lookahead', () => {
  it('passes at random decision times of the stored period, falling back to synthetic data and saying so', async () => {
    const run = await check(['lookahead', '--points', '2', '--seed', '4', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/No usdm candles for BTCUSDT: checking the SYNTHETIC candles/);
    const out = JSON.parse(run.stdout) as CheckJson;
    expect(out).toMatchObject({ market: 'synthetic', symbol: 'BTCUSDT', from: start, to: end, passed: true });
    expect(out.results).toHaveLength(2);
    for (const r of out.results) {
      expect(r.status).toBe('PASS');
      expect(r.t % 300_000).toBe(0); // a decision close
      expect(r.t).toBeGreaterThan(start);
      expect(r.t).toBeLessThan(end);
      expect(r.time).toBe(formatTime(r.t));
      expect(r.futureChanged).toBe(true);
    }
    // The same seed picks the same times.
    const again = JSON.parse((await check(['lookahead', '--points', '2', '--seed', '4', '--json'])).stdout) as CheckJson;
    expect(again.results.map((r) => r.t)).toEqual(out.results.map((r) => r.t));
  });

  it('checks one time with --at and prints a PASS line and a summary', async () => {
    const at = start + 2 * DAY + 7 * 60_000;
    const run = await check(['lookahead', '--market', 'synthetic', '--from', String(start + DAY), '--at', String(at)]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^PASS ${formatTime(at)}: [\\d,]+ records at or before t unchanged with [\\d,]+ base, [\\d,]+ decision, \\d+ context candles and \\d+ funding rates after t perturbed$`));
    expect(lines[1]).toBe(`1 of 1 passed: synthetic BTCUSDT ${formatTime(start + DAY)} → ${formatTime(end)}, seed 42`);
  });

  it('refuses bad flags with exit 2, naming the flag', async () => {
    const both = await check(['lookahead', '--market', 'synthetic', '--at', String(start + DAY), '--points', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--at/--points');
    const outside = await check(['lookahead', '--market', 'synthetic', '--at', '2023-01-01']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/error\[AT_OUTSIDE_PERIOD\]: --at:/);
    const zero = await check(['lookahead', '--market', 'synthetic', '--points', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--points');
    const none = await check(['lookahead', '--market', 'spot']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error[NO_DATA]');
  });

  it('a detected look-ahead prints a FAIL line naming the first changed record and exits 1', async () => {
    // The engine has no look-ahead to find, so the failing result comes from a replay fed decision candles stamped at their open.
    const inputs = syntheticInputs({ seed: 2, days: 2 });
    const t = inputs.from + DAY + 10 * 60_000;
    const result = await checkLookahead(inputs, testConfig(), t, {
      replay: (i, c, j) => replayInputs({ ...i, decision: stampedOneBarEarly(i.decision) }, c, j),
    });
    expect(formatLookaheadResult(result)).toMatch(new RegExp(`^FAIL ${formatTime(t)}: look-ahead: heartbeat at ${formatTime(t)} \\(record \\d+ at or before t\\): (close|features\\[\\d+\\]): `));
    const error = lookaheadDetected([result]) as XylenError;
    expect([error.code, error.exitCode]).toEqual(['LOOKAHEAD_DETECTED', 1]);
    expect(error.message).toContain(formatTime(t));
  });
});
