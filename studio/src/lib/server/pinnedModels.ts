import { basename } from 'node:path';
import type { RunManifest } from '../../../../research/index.ts';

/** A registry version a run used: the file name the trainers give it is `<id>-v<version>.onnx`. */
export interface PinnedModel {
  name: string;
  modelId: string;
  version: number;
}

/**
 * The registered model versions a run's ensemble used, read from its manifest's config: an onnx model whose file is
 * `<id>-v<version>.onnx` (how the registry names files, and how the studio pins versions for a comparison).
 */
export function pinnedModels(manifest: RunManifest): PinnedModel[] {
  const config = manifest.config as { models?: { name?: unknown; kind?: unknown; path?: unknown; enabled?: unknown }[] } | null;
  const pinned: PinnedModel[] = [];
  for (const model of config?.models ?? []) {
    if (model.kind !== 'onnx' || typeof model.path !== 'string' || model.enabled === false) continue;
    const match = /^(.+)-v(\d+)\.onnx$/.exec(basename(model.path));
    if (match) pinned.push({ name: String(model.name), modelId: match[1]!, version: Number(match[2]) });
  }
  return pinned;
}

/** The version of `modelId` a run used, or null when its ensemble did not include that model. */
export function pinnedVersion(manifest: RunManifest, modelId: string): number | null {
  return pinnedModels(manifest).find((p) => p.modelId === modelId)?.version ?? null;
}
