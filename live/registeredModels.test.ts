import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../data/index.ts';
import type { HeartbeatRecord } from '../engine/index.ts';
import { modelFileName, registerModel } from '../model-servers/registry/index.ts';
import { saveOnnx, trainLogreg, type TrainedModelCard } from '../model-servers/train/index.ts';
import { syntheticClasses } from '../model-servers/train/test/syntheticClasses.ts';
import { importedStore, parityConfig, runOverSim } from './test/liveFixture.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('live process with a registered model version (model: id@version)', () => {
  it('loads the version from the registry at start, and it votes at every heartbeat', { timeout: 120_000 }, async () => {
    const { dir, storePath } = await importedStore();
    dirs.push(dir);
    const { X, y } = syntheticClasses(300, 3, 5);
    const card: TrainedModelCard = {
      id: 'reg',
      version: 1,
      kind: 'logreg',
      features: ['ret_1', 'rsi_14', 'bb_pctb_20'],
      classes: ['short', 'hold', 'long'],
      createdAt: '2025-05-01T00:00:00.000Z',
      training: { from: 1, to: 2, rows: 300, metrics: { logLoss: 1, accuracy: 0.4 } },
      label: { kind: 'forward-return', horizon: 12, tp: 0.002, sl: 0.002 },
    };
    const path = join(dir, modelFileName('reg', 1));
    await saveOnnx(trainLogreg(X, y, 300, 3, { maxIterations: 30 }), path, card);
    const store = await Store.open(storePath);
    try {
      await registerModel(store, card, path);
    } finally {
      store.close();
    }

    const base = parityConfig({ models: [{ name: 'registered', kind: 'onnx', model: 'reg@1' }], ensemble: { quorum: 1, threshold: 0.3 } });
    const records = await runOverSim(storePath, base, dir, { overrides: { dry_run: true }, bars: 30 });
    const beats = records.filter((r): r is HeartbeatRecord => r.type === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(5);
    expect(beats.every((b) => b.votes.length === 1 && b.votes[0]!.model === 'registered')).toBe(true);
  });
});
