import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/index.ts';
import { Store } from '../../data/index.ts';
import { SHARED_MODELS } from '../../test/paths.ts';
import { runStoredReplay } from '../replay/runStoredReplay.ts';
import { createSyntheticStore } from '../test/syntheticStore.ts';
import { expandGrid } from './expandGrid.ts';
import { loadSweepDataset } from './loadSweepDataset.ts';
import { parseGrid } from './parseGrid.ts';
import { runSweep } from './runSweep.ts';
import { periodEquityReturns, runSweepConfig } from './runSweepConfig.ts';
import { EquityCurve } from '../metrics/EquityCurve.ts';
import { getSweep, sweepResults } from './sweepTables.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 2, 1);
const DATA = { market: 'synthetic' as const, symbol: 'BTCUSDT', from: START + DAY, to: START + 7 * DAY };
const HOUR = 3_600_000;
// Low thresholds and tight stops: configurations that trade a lot, so their results differ.
const base = configSchema.parse({ market: 'synthetic', ensemble: { threshold: 0.2, quorum: 1 }, risk: { stop_loss_pct: 0.004, take_profit_pct: 0.008 } });
const GRID = 'ensemble.method: [weighted_vote, majority, bayesian_weighted]\nensemble.threshold: [0.2, 0.4]\nmodels: [[momentum, rsi], [macd_cross, mean_reversion, momentum, rsi]]';

let dir: string;
let dataDb: string;

beforeAll(async () => {
  ({ dir, db: dataDb } = await createSyntheticStore('xylen-sweep-', { start: START, end: START + 8 * DAY, seed: 21 }, 'data.duckdb'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh store holding the same candles (a sweep writes; each test gets its own file). */
async function freshStore(name: string): Promise<string> {
  const path = join(dir, `${name}.duckdb`);
  copyFileSync(dataDb, path);
  return path;
}

async function results(dbPath: string, sweepId: string) {
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    return { sweep: await getSweep(store, sweepId), results: await sweepResults(store, sweepId, { returns: true }) };
  } finally {
    store.close();
  }
}

describe('one configuration of a sweep', () => {
  it('has the metrics of a stored replay of the same config, and returns that compound to its equity', async () => {
    const dbPath = await freshStore('single');
    const store = await Store.open(dbPath);
    try {
      const [config] = expandGrid(parseGrid('ensemble.method: [weighted_vote]', 'g.yaml'), base);
      const dataset = await loadSweepDataset(store, DATA, [config!.config]);
      const swept = await runSweepConfig(dataset, config!, HOUR);
      const stored = await runStoredReplay(store, config!.config, DATA);
      expect(swept.metrics.trades).toBeGreaterThan(5);
      expect(swept.metrics).toEqual(stored.metrics);
      expect(swept.bars).toBe(stored.bars);
      expect(swept.returns).toHaveLength(6 * 24);
      // The hourly returns chain from the initial balance to the final equity (the run ends on an hour).
      const compounded = swept.returns.reduce((e, r) => e * (1 + r), base.replay.initial_balance);
      expect(compounded / swept.metrics.endEquity! - 1).toBeCloseTo(0, 10);
    } finally {
      store.close();
    }
  });

  it('samples equity at each period end: the last record at or before it, the start balance before any', () => {
    // Periods of 10 from 0: boundaries 10, 20, 30, 40. Points at 5 (105), 10 (110, on the boundary), 25 (99), 26 (121).
    const curve = new EquityCurve();
    for (const [ts, equity] of [[5, 105], [10, 110], [25, 99], [26, 121]] as const) curve.push(ts, equity, 0);
    const returns = periodEquityReturns(curve, 0, 45, 10, 100);
    expect(Array.from(returns)).toEqual([110 / 100 - 1, 0, 121 / 110 - 1, 0]);
    expect(Array.from(periodEquityReturns(new EquityCurve(), 0, 30, 10, 100))).toEqual([0, 0, 0]);
  });
});

describe('runSweep', () => {
  it('gives the same results in worker threads as in the calling thread, and a rerun replays nothing', async () => {
    const grid = parseGrid(GRID, 'grid.yaml');
    const threaded = await freshStore('threads');
    const here = await freshStore('here');
    const a = await runSweep({ grid, base, dbPath: threaded, ...DATA, workers: 2 });
    const b = await runSweep({ grid, base, dbPath: here, ...DATA, workers: 0 });
    expect(a.status).toBe('complete');
    expect(a.configs).toBe(12);
    expect(a.stored).toBe(12);
    expect(a.sweepId).toBe(b.sweepId); // same name, data and grid: the same sweep
    const fromThreads = (await results(threaded, a.sweepId)).results;
    const fromHere = (await results(here, b.sweepId)).results;
    expect(fromThreads.map((r) => r.hash)).toEqual(fromHere.map((r) => r.hash));
    expect(new Set(fromThreads.map((r) => r.metrics.sharpe)).size).toBeGreaterThan(3);
    fromThreads.forEach((r, i) => {
      expect(r.metrics).toEqual(fromHere[i]!.metrics);
      expect(Array.from(r.returns!)).toEqual(Array.from(fromHere[i]!.returns!));
      expect(r.worker).toBe('local');
    });

    const again = await runSweep({ grid, base, dbPath: threaded, ...DATA, workers: 0 });
    expect(again).toMatchObject({ sweepId: a.sweepId, status: 'complete', skipped: 12, stored: 0 });
    const { sweep, results: after } = await results(threaded, a.sweepId);
    expect(sweep).toMatchObject({ status: 'complete', configs: 12, finished: 12, periodMs: HOUR });
    expect(after.map((r) => r.finishedAt.getTime())).toEqual(fromThreads.map((r) => r.finishedAt.getTime()));
  });

  it('an aborted sweep keeps what finished and a rerun completes it with one result per configuration', async () => {
    const grid = parseGrid(GRID, 'grid.yaml');
    const dbPath = await freshStore('abort');
    const controller = new AbortController();
    const first = await runSweep({
      grid,
      base,
      dbPath,
      ...DATA,
      workers: 0, // the CLI test stops worker threads mid-configuration with a real SIGINT
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 4) controller.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    expect(first.stored).toBe(4);
    const stopped = await results(dbPath, first.sweepId);
    expect(stopped.sweep.status).toBe('interrupted');
    expect(stopped.results).toHaveLength(4);

    const second = await runSweep({ grid, base, dbPath, ...DATA, workers: 0 });
    expect(second).toMatchObject({ status: 'complete', skipped: 4, stored: 8 });
    const done = await results(dbPath, first.sweepId);
    expect(done.sweep.status).toBe('complete');
    expect(done.results).toHaveLength(12);
    expect(new Set(done.results.map((r) => r.hash)).size).toBe(12);
    expect(done.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('stores full journaled runs of the best configurations when asked', async () => {
    const grid = parseGrid('ensemble.threshold: [0.2, 0.4, 0.6]', 'grid.yaml');
    const dbPath = await freshStore('journal');
    const outcome = await runSweep({ grid, base, dbPath, ...DATA, workers: 0, journalTop: 2 });
    expect(outcome.journaled).toHaveLength(2);
    const { results: stored } = await results(dbPath, outcome.sweepId);
    const store = await Store.open(dbPath, { readOnly: true });
    try {
      for (const { hash, runId } of outcome.journaled) {
        const row = stored.find((r) => r.hash === hash)!;
        expect(row.runId).toBe(runId);
        const run = await store.all('SELECT metrics FROM runs WHERE run_id = $1', [runId]);
        expect(JSON.parse(String(run[0]!['metrics']))).toEqual(row.metrics);
      }
      // The two best by Sharpe, not two arbitrary ones.
      const bySharpe = [...stored].sort((x, y) => (y.metrics.sharpe ?? -Infinity) - (x.metrics.sharpe ?? -Infinity));
      expect(new Set(outcome.journaled.map((j) => j.hash))).toEqual(new Set(bySharpe.slice(0, 2).map((r) => r.hash)));
    } finally {
      store.close();
    }
  });

  it('loads model files once per decision interval, and each configuration has the metrics a stored replay gives it', async () => {
    // The fixtures' 10 inputs named as engine features (as in swapByConfiguration.test.ts): mechanically valid models.
    const features = ['ret_1', 'ret_12', 'rsi_14', 'volume_z_48', 'ema_dist_9', 'ema_dist_21', 'macd_hist_rel', 'bb_pctb_20', 'bb_width_20', 'atr_rel_14'];
    copyFileSync(join(SHARED_MODELS, 'torch_mlp.onnx'), join(dir, 'mlp.onnx'));
    copyFileSync(join(SHARED_MODELS, 'xgb_softprob.json'), join(dir, 'xgb.json'));
    writeFileSync(join(dir, 'mlp.card.json'), JSON.stringify({ id: 'mlp', version: 1, features }));
    writeFileSync(join(dir, 'xgb.card.json'), JSON.stringify({ id: 'xgb', version: 1, features }));
    const withFiles = configSchema.parse({
      ...base,
      models: [...base.models, { name: 'mlp', kind: 'onnx', path: join(dir, 'mlp.onnx') }, { name: 'xgb', kind: 'xgboost', path: join(dir, 'xgb.json'), enabled: false }],
    });
    const grid = parseGrid('intervals.decision: [5m, 15m]\nmodels: [[mlp, xgb], [momentum, mlp]]', 'grid.yaml');
    const dbPath = await freshStore('files');
    const outcome = await runSweep({ grid, base: withFiles, dbPath, ...DATA, workers: 0 });
    const { results: swept } = await results(dbPath, outcome.sweepId);
    expect(swept).toHaveLength(4);
    // One return period for all, whatever the decision interval: what PBO needs.
    for (const r of swept) expect(r.returns).toHaveLength(6 * 24);
    const configs = expandGrid(grid, withFiles);
    const store = await Store.open(dbPath);
    try {
      for (const [i, config] of configs.entries()) {
        const replayed = await runStoredReplay(store, config.config, DATA);
        expect(swept[i]!.hash).toBe(config.hash);
        expect(swept[i]!.metrics).toEqual(replayed.metrics);
      }
    } finally {
      store.close();
    }
    expect(new Set(swept.map((r) => r.metrics.annualisation.barMs))).toEqual(new Set([300_000, 900_000]));
  });
});
