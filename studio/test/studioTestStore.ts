import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type XylenConfig } from '../../config/index.ts';
import { importPaths, Store } from '../../data/index.ts';
import { promote } from '../../model-servers/registry/index.ts';
import { trainModel } from '../../model-servers/zoo/index.ts';
import { runStoredReplay } from '../../research/replay/runStoredReplay.ts';
import { SHARED_DATA } from '../../test/paths.ts';

export const ENSEMBLE_METHODS = ['weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority'] as const;
/** The replayed period: short, so the store is made in seconds. */
export const PERIOD = { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 11) };
/** The models train on the months before it, so the period is out of sample for both versions. */
export const TRAINING = { from: Date.UTC(2023, 9, 1), to: Date.UTC(2023, 11, 15) };
export const MODEL_ID = 'trend';

export interface StudioTestStore {
  dbPath: string;
  runs: { method: string; runId: string }[];
}

/**
 * A store made the way a user makes one: real Binance BTCUSDT 5m candles and funding imported from ../shared/data,
 * one replay per ensemble method over PERIOD, and two versions of a small GBDT model trained on TRAINING with the
 * first promoted to champion (the second is the challenger for the models page).
 */
export async function buildStudioTestStore(dir: string, options: { models?: boolean; period?: { from: number; to: number } } = {}): Promise<StudioTestStore> {
  const dbPath = join(dir, 'studio.duckdb');
  const store = await Store.open(dbPath);
  try {
    const data = join(SHARED_DATA, 'binance-usdm', 'BTCUSDT');
    await importPaths(store, [join(data, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv'), join(data, 'BTCUSDT-funding-2023-01-01_2024-05-14.csv')], {});
    const base = await loadConfig(join(dir, 'absent.yaml'));
    const runs: StudioTestStore['runs'] = [];
    for (const method of ENSEMBLE_METHODS) {
      const config: XylenConfig = { ...base, ensemble: { ...base.ensemble, method } };
      const result = await runStoredReplay(store, config, { market: 'usdm', symbol: 'BTCUSDT', ...(options.period ?? PERIOD) });
      runs.push({ method, runId: result.runId });
    }
    if (options.models !== false) {
      const modelsDir = join(dir, 'models');
      mkdirSync(modelsDir, { recursive: true });
      const request = {
        market: 'usdm',
        symbol: 'BTCUSDT',
        decisionInterval: '5m',
        contextInterval: '1h',
        ...TRAINING,
        kind: 'gbdt',
        id: MODEL_ID,
        features: ['ret_12', 'ret_48', 'ema_dist_21', 'ema_dist_50', 'macd_rel', 'rsi_14'],
        label: { kind: 'forward-return', horizon: 12 },
        rounds: 20,
        modelsDir,
        createdAt: '2024-01-01T00:00:00.000Z',
      } as const;
      await trainModel(store, { ...request, maxDepth: 3 });
      await trainModel(store, { ...request, maxDepth: 4, eta: 0.2 });
      await promote(store, MODEL_ID, 1, 'first version');
    }
    return { dbPath, runs };
  } finally {
    store.close();
  }
}
