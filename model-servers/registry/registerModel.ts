import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inputError, operationalError } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import type { ModelCard } from '../ModelCard.ts';
import { getModel, type ModelRecord } from './ModelRecord.ts';

/**
 * Record a model file and its card as a new candidate version: `card.version` (a positive integer, new for the id)
 * and `card.parent` become the version and its parent, and the file's SHA-256 is kept so that a file changed after
 * registration is refused when loaded (registered files are immutable: a retrain writes a new version).
 */
export async function registerModel(store: Store, card: ModelCard, path: string): Promise<ModelRecord> {
  const version = positiveVersion(card.version, 'version', card.id);
  const parent = card.parent === undefined ? null : positiveVersion(card.parent, 'parent', card.id);
  const absolute = resolve(path);
  const sha256 = await fileSha256(absolute);
  const existing = await store.all(`SELECT 1 FROM models WHERE model_id = $1 AND version = $2`, [card.id, version]);
  if (existing.length > 0) {
    throw inputError('MODEL_VERSION_EXISTS', `model "${card.id}" already has a version ${version} in the registry`, {
      where: absolute,
      hint: 'registered versions are immutable: give the new model the next version',
    });
  }
  const training = card.training;
  await store.connection.run(
    `INSERT INTO models VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'candidate', coalesce(TRY_CAST($14 AS TIMESTAMP), now()::TIMESTAMP), now()::TIMESTAMP)`,
    [
      card.id,
      version,
      parent,
      card.kind,
      JSON.stringify(card.features),
      JSON.stringify(card.classes),
      training === undefined ? null : BigInt(Math.round(Number(training.from))),
      training === undefined ? null : BigInt(Math.round(Number(training.to))),
      training === undefined ? null : BigInt(training.rows),
      training === undefined ? null : JSON.stringify(training.metrics),
      card.label === undefined ? null : JSON.stringify(card.label),
      absolute,
      sha256,
      card.createdAt ?? null,
    ],
  );
  return getModel(store, card.id, version);
}

/** SHA-256 of a file, hex. */
export async function fileSha256(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw operationalError('MODEL_FILE_UNREADABLE', `cannot read the model file: ${(error as Error).message}`, { where: path, cause: error });
  }
  return createHash('sha256').update(bytes).digest('hex');
}

/** The latest registered version of `modelId`, 0 when it has none. */
export async function latestVersion(store: Store, modelId: string): Promise<number> {
  const rows = await store.all(`SELECT coalesce(max(version), 0)::INTEGER AS v FROM models WHERE model_id = $1`, [modelId]);
  return Number(rows[0]?.['v'] ?? 0);
}

function positiveVersion(value: number | string, field: string, id: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isSafeInteger(n) && n >= 1 && String(n) === String(value)) return n;
  throw inputError('MODEL_VERSION_INVALID', `the registry numbers versions 1, 2, …; model "${id}" has ${field} "${value}"`, {
    where: `model card ${id}: ${field}`,
    hint: `set "${field}" in the card to a positive integer`,
  });
}
