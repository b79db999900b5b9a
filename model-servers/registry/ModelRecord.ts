import { inputError } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import type { ModelClass } from '../ModelCard.ts';

export const MODEL_STATUSES = ['candidate', 'champion', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** One registered model version: a row of the `models` table. */
export interface ModelRecord {
  modelId: string;
  version: number;
  parentVersion: number | null;
  kind: string;
  features: string[];
  classes: ModelClass[];
  trainingFrom: number | null;
  trainingTo: number | null;
  trainingRows: number | null;
  trainingMetrics: Record<string, number> | null;
  label: Record<string, unknown> | null;
  /** Absolute path of the model file. */
  path: string;
  fileSha256: string;
  status: ModelStatus;
  /** ISO 8601: when the model was made (its card's createdAt) and when it was registered. */
  createdAt: string;
  registeredAt: string;
}

const SELECT = `SELECT model_id, version, parent_version, kind, features::VARCHAR AS features, classes::VARCHAR AS classes,
  training_from, training_to, training_rows, training_metrics::VARCHAR AS training_metrics, label::VARCHAR AS label, path, file_sha256, status,
  strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS created_at, strftime(registered_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS registered_at FROM models`;

/** Every registered version, by model id then version; only those of `modelId` when given. */
export async function listModels(store: Store, modelId?: string): Promise<ModelRecord[]> {
  const rows = modelId === undefined ? await store.all(`${SELECT} ORDER BY model_id, version`) : await store.all(`${SELECT} WHERE model_id = $1 ORDER BY version`, [modelId]);
  return rows.map(toRecord);
}

/**
 * One version of a model; without `version`, its champion (or, when it has none, its latest version). An unknown
 * id or version is an input error that lists what is registered.
 */
export async function getModel(store: Store, modelId: string, version?: number): Promise<ModelRecord> {
  const versions = await listModels(store, modelId);
  if (versions.length === 0) {
    const ids = [...new Set((await listModels(store)).map((m) => m.modelId))];
    throw inputError('MODEL_NOT_REGISTERED', `no model "${modelId}" in the registry`, {
      where: modelId,
      hint: ids.length > 0 ? `registered: ${ids.join(', ')}` : 'train one with `xylen model train …` or `xylen models init`',
    });
  }
  if (version === undefined) return versions.find((m) => m.status === 'champion') ?? versions.at(-1)!;
  const found = versions.find((m) => m.version === version);
  if (!found) {
    throw inputError('MODEL_VERSION_UNKNOWN', `model "${modelId}" has no version ${version}`, {
      where: `${modelId} v${version}`,
      hint: `its versions: ${versions.map((m) => m.version).join(', ')}`,
    });
  }
  return found;
}

function toRecord(row: Record<string, unknown>): ModelRecord {
  const json = <T>(value: unknown): T | null => (value === null || value === undefined ? null : (JSON.parse(String(value)) as T));
  const integer = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
  return {
    modelId: String(row['model_id']),
    version: Number(row['version']),
    parentVersion: integer(row['parent_version']),
    kind: String(row['kind']),
    features: json<string[]>(row['features']) ?? [],
    classes: json<ModelClass[]>(row['classes']) ?? [],
    trainingFrom: integer(row['training_from']),
    trainingTo: integer(row['training_to']),
    trainingRows: integer(row['training_rows']),
    trainingMetrics: json<Record<string, number>>(row['training_metrics']),
    label: json<Record<string, unknown>>(row['label']),
    path: String(row['path']),
    fileSha256: String(row['file_sha256']),
    status: String(row['status']) as ModelStatus,
    createdAt: String(row['created_at']),
    registeredAt: String(row['registered_at']),
  };
}
