import { storedExtent, type Market, type Store } from '../../../../data/index.ts';
import { listModels, modelEvents, type ModelEvent, type ModelRecord } from '../../../../model-servers/registry/index.ts';
import { listRuns } from '../../../../research/index.ts';
import { modelDataUsedTo } from './modelDataRange.ts';
import { isFoldModelId } from '../../../../research/walkforward/foldModelId.ts';
import { pinnedModels } from './pinnedModels.ts';

export interface ModelVersionView extends ModelRecord {
  /** Runs whose ensemble used this version (newest first). */
  runs: string[];
  /** Until when its data was used: training, validation and test splits (see modelDataUsedTo). */
  dataUsedTo: number | null;
}

export interface ModelView {
  modelId: string;
  champion: number | null;
  versions: ModelVersionView[];
  /** Promotions and rollbacks, oldest first, with the evidence recorded for each. */
  events: ModelEvent[];
}

export interface RegistryView {
  models: ModelView[];
  /** Models trained by walk-forward folds, left out of `models`. */
  hiddenFoldModels: number;
  /** The stored candles of the studio config's market and symbol: where a comparison period can lie. */
  series: { market: string; symbol: string; from: number | null; to: number | null };
}

/** The model registry as the models page shows it: every id with its versions, lineage, events and the runs that used them. */
export async function registryView(store: Store, series: { market: Market; symbol: string }, barMs: number): Promise<RegistryView> {
  const every = await listModels(store);
  // Walk-forward folds train four models each; they belong to the walk-forward's page, not the registry's listing.
  const records = every.filter((r) => !isFoldModelId(r.modelId));
  const hiddenFoldModels = new Set(every.filter((r) => isFoldModelId(r.modelId)).map((r) => r.modelId)).size;
  const used = new Map<string, string[]>();
  for (const run of await listRuns(store)) {
    for (const pin of pinnedModels(run.manifest)) {
      const key = `${pin.modelId}@${pin.version}`;
      used.set(key, [...(used.get(key) ?? []), run.runId]);
    }
  }
  const ids = [...new Set(records.map((r) => r.modelId))];
  const models: ModelView[] = [];
  for (const modelId of ids) {
    const versions = records.filter((r) => r.modelId === modelId).map((r) => ({ ...r, runs: used.get(`${r.modelId}@${r.version}`) ?? [], dataUsedTo: modelDataUsedTo(r, barMs) }));
    models.push({ modelId, champion: versions.find((v) => v.status === 'champion')?.version ?? null, versions, events: await modelEvents(store, modelId) });
  }
  const extent = await storedExtent(store, series);
  return { models, hiddenFoldModels, series: { ...series, from: extent?.from ?? null, to: extent?.to ?? null } };
}
