import { CONTEXT_FEATURES, inputError, intervalMs, type Interval } from '../../engine/index.ts';
import { storedExtent, type Market, type Store } from '../../data/index.ts';
import { promote } from '../registry/index.ts';
import { defaultFeatures, trainModel, type TrainerKind, type TrainModelResult } from './trainModel.ts';
import type { LabelRequest } from './trainingSet.ts';

/** One default model: what it reads, how it learns, what it predicts. */
export interface ZooModel {
  id: string;
  kind: TrainerKind;
  /** Engine features; context features are left out when the config has no context interval. */
  features: readonly string[] | 'all';
  label: LabelRequest;
}

/**
 * Four models that disagree usefully: trees on trend features an hour ahead, trees on mean-reversion features four
 * hours ahead, a linear model on momentum, and trees on everything with triple-barrier labels (barriers at a typical
 * move, see trainingSet). Horizons are in decision bars (5m by default).
 */
export const DEFAULT_ZOO: readonly ZooModel[] = [
  {
    id: 'trend-gbdt',
    kind: 'gbdt',
    features: ['ret_12', 'ret_48', 'ema_dist_21', 'ema_dist_50', 'macd_rel', 'macd_signal_rel', 'macd_hist_rel', 'ctx_ret_12', 'ctx_ema_dist_21', 'ctx_ema_dist_50'],
    label: { kind: 'forward-return', horizon: 12 },
  },
  {
    id: 'reversion-gbdt',
    kind: 'gbdt',
    features: ['ret_1', 'ret_3', 'rsi_14', 'ema_dist_9', 'bb_pctb_20', 'bb_width_20', 'volume_z_48', 'atr_rel_14', 'ctx_rsi_14'],
    label: { kind: 'forward-return', horizon: 48 },
  },
  {
    id: 'momentum-logreg',
    kind: 'logreg',
    features: ['ret_1', 'ret_3', 'ret_12', 'macd_hist_rel', 'rsi_14', 'ctx_ret_1', 'ctx_ret_12'],
    label: { kind: 'forward-return', horizon: 24 },
  },
  { id: 'all-gbdt-tb', kind: 'gbdt', features: 'all', label: { kind: 'triple-barrier', horizon: 24 } },
];

export interface InitZooRequest {
  market: Market;
  symbol: string;
  decisionInterval: Interval;
  contextInterval: Interval;
  /** Default: everything stored for the symbol. */
  from?: number;
  to?: number;
  modelsDir: string;
  createdAt: string;
  models?: readonly ZooModel[];
  /** Called after each model is trained and promoted. */
  onModel?: (done: number, total: number, result: TrainModelResult) => void;
}

/** Train the zoo on the store's data, register each model and make it its id's champion. */
export async function initZoo(store: Store, request: InitZooRequest): Promise<TrainModelResult[]> {
  const stored = await storedRange(store, request.market, request.symbol);
  const from = request.from ?? stored.from;
  const to = request.to ?? stored.to;
  const withContext = intervalMs(request.contextInterval) > intervalMs(request.decisionInterval);
  const models = request.models ?? DEFAULT_ZOO;
  const results: TrainModelResult[] = [];
  for (const zoo of models) {
    const features = zoo.features === 'all' ? defaultFeatures(zoo.kind, withContext) : zoo.features.filter((f) => withContext || !(CONTEXT_FEATURES as readonly string[]).includes(f));
    const result = await trainModel(store, { ...request, from, to, id: zoo.id, kind: zoo.kind, features, label: zoo.label });
    await promote(store, zoo.id, result.card.version, 'xylen models init');
    results.push({ ...result, record: { ...result.record, status: 'champion' } });
    request.onModel?.(results.length, models.length, result);
  }
  return results;
}

/** [first open, last close) of the finest candles stored for the symbol; none is an input error saying how to get some. */
async function storedRange(store: Store, market: Market, symbol: string): Promise<{ from: number; to: number }> {
  const extent = await storedExtent(store, { market, symbol });
  if (!extent) {
    throw inputError('NO_DATA', `no ${market} ${symbol} candles in the store to train the default models on`, {
      where: 'market/symbol',
      hint: 'import candles with `xylen data import …` (or fetch them with `xylen data fetch`), or make synthetic ones with `xylen data synth` (then set market: synthetic)',
    });
  }
  return extent;
}
