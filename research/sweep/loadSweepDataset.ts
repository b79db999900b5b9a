import type { XylenConfig } from '../../config/index.ts';
import type { CandleColumns, FundingColumns, Store } from '../../data/index.ts';
import { inputError, ruleModel, type BatchPredictions, type FeatureMatrix, type Interval } from '../../engine/index.ts';
import { bindModel, loadModel } from '../../model-servers/index.ts';
import { candleChecksum } from '../journal/RunManifest.ts';
import { loadReplayData } from '../replay/loadReplayData.ts';
import { groupKey, modelKey, type SweepDataRequest, type SweepDataset } from './SweepDataset.ts';
import { replayFeatures } from '../replay/replayFeatures.ts';

type ModelConfig = XylenConfig['models'][number];

/** SHA-256 over the base candles and funding rates a sweep replays. */
export function dataChecksum(base: CandleColumns, funding: FundingColumns): string {
  return candleChecksum({
    openTime: base.openTime,
    open: base.open,
    high: base.high,
    low: base.low,
    close: base.close,
    volume: base.volume,
    fundingTime: funding.fundingTime,
    fundingRate: funding.rate,
  });
}

/**
 * Load (or extend `existing` with) what `configs` need: each interval pair's candles and features once, and each
 * distinct model's predictions once per pair. Model files are loaded here, in the calling thread, and closed again.
 */
export async function loadSweepDataset(store: Store, data: SweepDataRequest, configs: readonly XylenConfig[], existing?: SweepDataset): Promise<SweepDataset> {
  // Only the data fields: the dataset goes to worker threads, which cannot take a caller's callbacks.
  const request: SweepDataRequest = { market: data.market, symbol: data.symbol, from: data.from, to: data.to };
  let dataset = existing;
  for (const config of configs) {
    const key = groupKey(config);
    let group = dataset?.groups[key];
    if (!group) {
      const inputs = await loadReplayData(store, {
        ...request,
        decisionInterval: config.intervals.decision as Interval,
        contextInterval: config.intervals.context as Interval,
      });
      dataset ??= {
        request,
        baseInterval: inputs.baseInterval,
        base: inputs.base,
        funding: inputs.funding,
        fundingSource: inputs.fundingSource,
        checksum: dataChecksum(inputs.base, inputs.funding),
        groups: {},
      };
      group = {
        decisionInterval: inputs.decisionInterval,
        contextInterval: inputs.contextInterval,
        decision: inputs.decision,
        context: inputs.context,
        warmupFrom: inputs.warmupFrom,
        derived: inputs.derived,
        matrix: replayFeatures(inputs),
        predictions: {},
      };
      dataset.groups[key] = group;
    }
    for (const [i, model] of config.models.entries()) {
      if (!model.enabled || group.predictions[modelKey(model)]) continue;
      group.predictions[modelKey(model)] = await predictAll(model, i, group.matrix);
    }
  }
  if (!dataset) throw inputError('GRID_EMPTY', 'the sweep has no configurations');
  return dataset;
}

async function predictAll(model: ModelConfig, index: number, matrix: FeatureMatrix): Promise<BatchPredictions> {
  if (model.kind === 'rule') {
    if (!model.rule) throw inputError('MODEL_RULE_MISSING', `model "${model.name}" has kind rule but no rule`, { where: `models.${index}.rule` });
    return await ruleModel(model.rule, model.name).predictBatch(matrix);
  }
  if (model.kind === 'http' || !model.path) {
    throw inputError('SWEEP_HTTP_MODEL', `model "${model.name}" cannot be replayed in-process by a sweep`, { where: `models.${index}`, hint: 'give it kind onnx or xgboost and a path' });
  }
  const runtime = await loadModel(model.path);
  try {
    return await bindModel(runtime, matrix.names, model.name).predictBatch(matrix);
  } finally {
    await runtime.close();
  }
}

