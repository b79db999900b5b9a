import { dirname, join, resolve } from 'node:path';
import { inputError } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import { loadModel, type ModelRuntime } from '../ModelRuntime.ts';
import { getModel, type ModelRecord } from './ModelRecord.ts';
import { fileSha256 } from './registerModel.ts';

/**
 * Where model files live by default: `models/` beside the store file (`./xylen.duckdb` → `./models/`), so that a
 * store and the models it registers move together.
 */
export function defaultModelsDir(storePath: string): string {
  return join(dirname(resolve(storePath)), 'models');
}

/** The file name of a registered version inside the models dir. */
export function modelFileName(modelId: string, version: number): string {
  return `${modelId}-v${version}.onnx`;
}

/**
 * Load a registered version (its champion, or latest, without `version`) after checking that the file is the one
 * registered: a changed file is an input error naming it, never a silently different model. The registry's card
 * (id, version, features, classes) overrides the file's and the sidecar's.
 */
export async function loadRegisteredModel(store: Store, modelId: string, version?: number): Promise<{ record: ModelRecord; runtime: ModelRuntime }> {
  const record = await getModel(store, modelId, version);
  await verifyModelFile(record);
  const runtime = await loadModel(record.path, {
    card: { id: record.modelId, version: record.version, features: record.features, classes: record.classes },
  });
  return { record, runtime };
}

/** Refuse a registered file whose bytes are not those registered. */
export async function verifyModelFile(record: ModelRecord): Promise<void> {
  const actual = await fileSha256(record.path);
  if (actual !== record.fileSha256) {
    throw inputError('MODEL_FILE_CHANGED', `the file of model "${record.modelId}" v${record.version} changed after it was registered (SHA-256 ${actual.slice(0, 12)}…, registered ${record.fileSha256.slice(0, 12)}…)`, {
      where: record.path,
      hint: 'registered model files are immutable: restore the file, or train and register a new version',
    });
  }
}
