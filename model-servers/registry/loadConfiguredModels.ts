import { inputError, XylenError } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import type { ModelRuntime } from '../ModelRuntime.ts';
import type { ModelRecord } from './ModelRecord.ts';
import { loadRegisteredModel } from './loadRegisteredModel.ts';

/** A registry reference as the config writes it: `id` (its champion, else its latest) or `id@version`. */
export interface ModelRef {
  id: string;
  version?: number;
}

const REF = /^([A-Za-z0-9_.-]+)(?:@([1-9]\d*))?$/;

/** Parse `id` or `id@version`; anything else is an input error naming `where`. */
export function parseModelRef(text: string, where: string): ModelRef {
  const match = REF.exec(text);
  if (!match) {
    throw inputError('MODEL_REF_INVALID', `"${text}" is not a registered model reference`, { where, hint: 'write the model id (its champion) or id@version, e.g. trend-gbdt@3' });
  }
  return { id: match[1]!, ...(match[2] === undefined ? {} : { version: Number(match[2]) }) };
}

/** The fields of a config `models:` entry that say where its model comes from. */
export interface ConfigModelEntry {
  model?: string | undefined;
  path?: string | undefined;
  endpoint?: string | undefined;
}

/** The registry reference a config model entry names, if any: `model: id[@v]`, or an endpoint `inproc:id[@v]`. */
export function configuredRef(entry: ConfigModelEntry, index: number): { ref: ModelRef; where: string } | undefined {
  if (entry.model !== undefined) {
    if (entry.path !== undefined) {
      throw inputError('MODEL_SOURCE_AMBIGUOUS', `model ${index} names both a file (path: ${entry.path}) and a registered model (model: ${entry.model})`, {
        where: `models.${index}.model`,
        hint: 'keep one: path: for a file, model: for a registered version',
      });
    }
    return { ref: parseModelRef(entry.model, `models.${index}.model`), where: `models.${index}.model` };
  }
  if (entry.endpoint?.startsWith('inproc:')) {
    const where = `models.${index}.endpoint`;
    return { ref: parseModelRef(entry.endpoint.slice('inproc:'.length), where), where };
  }
  return undefined;
}

export interface ConfiguredModel {
  record: ModelRecord;
  runtime: ModelRuntime;
}

/**
 * Load every enabled config model that names a registered version (`model: trend-gbdt@3`, or an endpoint
 * `inproc:trend-gbdt@3`), keyed by its index in the config's models list: the version it resolves to (the champion
 * for a bare id) and its file, checked against the registered SHA-256. The caller owns the runtimes (close them).
 */
export async function loadConfiguredModels(
  store: Store,
  models: readonly (ConfigModelEntry & { enabled: boolean })[],
): Promise<Map<number, ConfiguredModel>> {
  const loaded = new Map<number, ConfiguredModel>();
  try {
    for (const [index, entry] of models.entries()) {
      if (!entry.enabled) continue;
      const named = configuredRef(entry, index);
      if (!named) continue;
      const { record, runtime } = await loadRegisteredModel(store, named.ref.id, named.ref.version).catch((error: unknown) => {
        // Say which config entry named it (the registry's own message says what is registered).
        if (!(error instanceof XylenError)) throw error;
        throw new XylenError(error.kind, error.code, error.message, { where: named.where, cause: error, ...(error.hint ? { hint: error.hint } : {}) });
      });
      loaded.set(index, { record, runtime });
    }
  } catch (error) {
    for (const { runtime } of loaded.values()) await runtime.close();
    throw error;
  }
  return loaded;
}
