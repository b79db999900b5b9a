import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { modelFileName } from './loadRegisteredModel.ts';

export interface ClaimedVersion {
  version: number;
  /** `<modelsDir>/<id>-v<version>.onnx`, created empty: the trainer replaces it with the model. */
  path: string;
  /** Give the number back (a training that failed): removes the file and its card, if any. */
  release(): Promise<void>;
}

/**
 * Claim the first version ≥ `atLeast` of `modelId` whose file does not exist yet in `modelsDir`, by creating that
 * file exclusively. The models dir is where every trainer of the id writes (`xylen model train`, `xylen models init`
 * and the model servers' retrains), so the file system hands out each number once, across processes, without
 * the store — which a model server may not be able to open while another process writes it.
 */
export async function claimModelVersion(modelsDir: string, modelId: string, atLeast: number): Promise<ClaimedVersion> {
  await mkdir(modelsDir, { recursive: true });
  for (let version = Math.max(1, Math.floor(atLeast)); ; version++) {
    const path = join(modelsDir, modelFileName(modelId, version));
    try {
      const handle = await open(path, 'wx');
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    return {
      version,
      path,
      release: async () => {
        await rm(path, { force: true });
        await rm(`${path.slice(0, -'.onnx'.length)}.card.json`, { force: true });
      },
    };
  }
}
