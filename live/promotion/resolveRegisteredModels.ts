import type { Store } from '../../data/index.ts';
import { configuredRef, getModel, type ConfigModelEntry } from '../../model-servers/registry/index.ts';

/**
 * A promotion's model entries with every registered reference (`model: id@v`, `endpoint: inproc:id@v`) replaced by the
 * file that version is (`kind: onnx|xgboost, path: …`), read from the registry while `xylen promote` has the store
 * open. The live process then loads files only: it never needs the store to apply a promotion (the store is held by
 * `xylen promote` while the live process accepts it), and the file's SHA-256 is still checked against the run's.
 */
export async function resolveRegisteredModels(store: Store, models: unknown): Promise<unknown> {
  if (!Array.isArray(models)) return models;
  return Promise.all(
    models.map(async (entry: unknown, index) => {
      if (typeof entry !== 'object' || entry === null) return entry;
      const named = configuredRef(entry as ConfigModelEntry, index);
      if (!named) return entry;
      const record = await getModel(store, named.ref.id, named.ref.version);
      const { model: _model, endpoint: _endpoint, ...rest } = entry as Record<string, unknown>;
      return { ...rest, kind: record.path.endsWith('.json') ? 'xgboost' : 'onnx', path: record.path };
    }),
  );
}
