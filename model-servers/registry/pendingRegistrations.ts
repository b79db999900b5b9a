import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Store } from '../../data/index.ts';
import type { ModelCard } from '../ModelCard.ts';
import { getModel, type ModelRecord } from './ModelRecord.ts';
import { fileSha256, registerModel } from './registerModel.ts';

/** A model version written by a process that could not open the store for writing at the time (a model server). */
export interface PendingRegistration {
  card: ModelCard;
  /** Absolute path of the model file. */
  path: string;
  /** The file's SHA-256 when it was queued: a file changed since is not registered. */
  sha256: string;
  queuedAt: string;
}

export interface PendingOutcome {
  registered: ModelRecord[];
  /** Entries left queued, with the reason (a version number taken by another file, a missing or changed file). */
  refused: { file: string; reason: string }[];
}

/** `<modelsDir>/pending/`: one JSON file per version waiting to be registered. */
export function pendingDir(modelsDir: string): string {
  return join(modelsDir, 'pending');
}

/**
 * Queue a version for registration: a file of its own in the models dir's `pending/` folder (one file per
 * version, written through a rename, so that several servers never interleave). Whoever next holds the store
 * for writing registers it: the server's own retries, `xylen models sync`, and the registry-writing commands.
 */
export async function queueRegistration(modelsDir: string, card: ModelCard, path: string, queuedAt: string): Promise<string> {
  const dir = pendingDir(modelsDir);
  await mkdir(dir, { recursive: true });
  const entry: PendingRegistration = { card, path: resolve(path), sha256: await fileSha256(path), queuedAt };
  const file = join(dir, `${card.id}-v${card.version}.json`);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(entry, null, 2)}\n`);
  await rename(temporary, file);
  return file;
}

/** The queued registrations of a models dir, oldest name first; none when it has no `pending/` folder. */
export async function listPendingRegistrations(modelsDir: string): Promise<{ file: string; entry: PendingRegistration }[]> {
  const dir = pendingDir(modelsDir);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const entries: { file: string; entry: PendingRegistration }[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = join(dir, name);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // registered and removed by another process meanwhile
    entries.push({ file, entry: JSON.parse(text) as PendingRegistration });
  }
  return entries;
}

/**
 * Register every queued version of `modelsDir` in `store` (open for writing) and remove its queue file. Idempotent:
 * a version already registered with the same file checksum (a process that registered it and stopped before
 * removing the file) is only dequeued. A version whose number another file took, or whose file is gone or
 * changed, stays queued and is reported.
 */
export async function registerPending(store: Store, modelsDir: string): Promise<PendingOutcome> {
  const outcome: PendingOutcome = { registered: [], refused: [] };
  for (const { file, entry } of await listPendingRegistrations(modelsDir)) {
    const version = Number(entry.card.version);
    const existing = await store.all(`SELECT file_sha256 FROM models WHERE model_id = $1 AND version = $2`, [entry.card.id, version]);
    if (existing.length > 0) {
      if (existing[0]!['file_sha256'] === entry.sha256) await rm(file, { force: true });
      else outcome.refused.push({ file, reason: `"${entry.card.id}" v${version} is already registered with another file` });
      continue;
    }
    const actual = await fileSha256(entry.path).catch(() => undefined);
    if (actual !== entry.sha256) {
      outcome.refused.push({ file, reason: actual === undefined ? `the model file ${entry.path} is gone` : `the model file ${entry.path} changed after it was queued` });
      continue;
    }
    await registerModel(store, entry.card, entry.path);
    await rm(file, { force: true });
    outcome.registered.push(await getModel(store, entry.card.id, version));
  }
  return outcome;
}
