import { join } from 'node:path';
import { configSchema } from '../../config/index.ts';
import { Store } from '../../data/index.ts';
import { parseGrid, runSweep, runWalkforward } from '../../research/index.ts';

const DAY = 86_400_000;

/** The sweep's grid: 12 configurations of the default ensemble (threshold × stop-loss), so every result trades. */
export const SWEEP_GRID = 'ensemble.threshold: [0.2, 0.25, 0.3, 0.35]\nrisk.stop_loss_pct: [0.006, 0.008, 0.01]';
export const SWEEP_PERIOD = { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 11) };
/** Two folds: train 10 days, test 5, on December 2023 (before the models' and the replays' periods). */
export const WALKFORWARD = { from: Date.UTC(2023, 11, 1), to: Date.UTC(2023, 11, 21), trainMs: 10 * DAY, testMs: 5 * DAY, embargoMs: DAY };

export interface ResearchFixture {
  sweepId: string;
  sweepName: string;
  /** The sweep's best configuration was journaled as a full run (`xylen sweep … --journal 1`). */
  journaled: { hash: string; runId: string }[];
  wfId: string;
}

/**
 * A real sweep (research/sweep's runSweep, in the calling thread) and a real walk-forward (two folds, two logistic
 * regressions retrained per fold) over the real BTCUSDT 5m candles already imported into the store at `dbPath`.
 */
export async function addSweepAndWalkforward(dbPath: string, dir: string): Promise<ResearchFixture> {
  const base = configSchema.parse({ risk: { max_daily_trades: 1000, max_consecutive_losses: 1000 } });
  const sweep = await runSweep({
    grid: parseGrid(SWEEP_GRID, 'studio-grid.yaml'),
    base,
    dbPath,
    market: 'usdm',
    symbol: 'BTCUSDT',
    ...SWEEP_PERIOD,
    workers: 0,
    journalTop: 1,
    flushMs: 60_000,
  });
  const store = await Store.open(dbPath);
  try {
    const wf = await runWalkforward(store, {
      market: 'usdm',
      symbol: 'BTCUSDT',
      ...WALKFORWARD,
      models: [
        { id: 'wf_trend', kind: 'logreg', features: ['ret_12', 'ema_dist_21', 'macd_hist_rel'], label: { kind: 'forward-return', horizon: 12 } },
        { id: 'wf_barrier', kind: 'logreg', features: ['ret_1', 'rsi_14', 'bb_pctb_20'], label: { kind: 'triple-barrier', horizon: 24 } },
      ],
      config: configSchema.parse({ ensemble: { threshold: 0.2, quorum: 1 } }),
      modelsDir: join(dir, 'models'),
      createdAt: new Date(Date.UTC(2024, 0, 2)),
    });
    return { sweepId: sweep.sweepId, sweepName: sweep.name, journaled: sweep.journaled, wfId: wf.wfId };
  } finally {
    store.close();
  }
}
