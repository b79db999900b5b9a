import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_MODELS } from '../test/paths.ts';
import { PARALLEL_MIN_ROWS } from './ForestWorkers.ts';
import { loadModel } from './index.ts';
import { XgboostForest } from './XgboostForest.ts';

describe('XGBoost batches split across worker threads', () => {
  it('give exactly the single-thread answer, missing values included, and the workers stop on close', async () => {
    const path = join(SHARED_MODELS, 'xgb_softprob.json');
    const versions = JSON.parse(await readFile(join(SHARED_MODELS, 'versions.json'), 'utf8')) as { features: string[] };
    const inputs = (await readFile(join(SHARED_MODELS, 'xgb_softprob.inputs.csv'), 'utf8')).trim().split('\n').slice(1).flatMap((l) => l.split(',').map(Number));
    const n = PARALLEL_MIN_ROWS + 1_003; // not a multiple of the chunking
    const rows = Float32Array.from({ length: n * 10 }, (_, i) => (i % 997 === 0 ? Number.NaN : inputs[i % inputs.length]!));
    const runtime = await loadModel(path, { card: { features: versions.features } });
    const pending = runtime.predict(rows, n);
    if (availableParallelism() > 1) expect(pending).toBeInstanceOf(Promise); // took the threaded path
    const parallel = await pending;
    const serial = XgboostForest.parse(await readFile(path, 'utf8'), path).predictProbabilities(rows, n);
    expect(parallel.probabilities).toEqual(serial);
    await runtime.close();
    expect(() => runtime.predict(rows, n)).toThrow(/was closed/);
  });
});
