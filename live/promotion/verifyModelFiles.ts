import { existsSync } from 'node:fs';
import { inputError } from '../../engine/index.ts';
import { fileSha256 } from '../../model-servers/registry/index.ts';
import type { RunModel } from '../../research/index.ts';
import type { XylenConfig } from '../../config/index.ts';

/** A run's model as its manifest records it; the SHA-256 of the file that ran where the replay recorded one. */
export type RecordedModel = RunModel & { sha256?: string };

/**
 * The model files a promotion will load are the very files its run used: each enabled in-process model whose run
 * recorded a SHA-256 must exist and hash to it. A retrained or replaced file is refused by name, so the live process
 * never trades a model other than the one the evidence was about.
 */
export async function verifyModelFiles(models: XylenConfig['models'], runModels: readonly RecordedModel[], where: string): Promise<void> {
  for (const [i, m] of models.entries()) {
    if (!m.enabled || !m.path || (m.kind !== 'onnx' && m.kind !== 'xgboost')) continue;
    const expected = runModels.find((r) => r.name === m.name)?.sha256;
    if (!expected) continue;
    if (!existsSync(m.path)) {
      throw inputError('MODEL_FILE_MISSING', `model "${m.name}": ${m.path} does not exist here`, { where: `${where}: models.${i}.path`, hint: 'the live process loads the file the run used: copy it to the same path on this machine' });
    }
    const actual = await fileSha256(m.path);
    if (actual !== expected) {
      throw inputError('MODEL_FILE_CHANGED', `model "${m.name}": ${m.path} is not the file the run used (SHA-256 ${actual.slice(0, 12)}…, the run's ${expected.slice(0, 12)}…)`, {
        where: `${where}: models.${i}.path`,
        hint: 'registered model files are immutable: point the config at the version the run used, or replay with this file and promote that run',
      });
    }
  }
}
