import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { saveOnnx, trainLogreg, type TrainedModelCard } from '../train/index.ts';
import { syntheticClasses } from '../train/test/syntheticClasses.ts';
import { claimModelVersion, getModel, listPendingRegistrations, modelFileName, pendingDir, queueRegistration, registerModel, registerPending } from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-pending-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function saveVersion(modelsDir: string, id: string, version: number, parent?: number, createdAt = '2024-06-01T00:00:00.000Z'): Promise<{ card: TrainedModelCard; path: string }> {
  const { X, y } = syntheticClasses(200, 3, version);
  const card: TrainedModelCard = {
    id,
    version,
    kind: 'logreg',
    features: ['ret_1', 'rsi_14', 'bb_pctb_20'],
    classes: ['short', 'hold', 'long'],
    createdAt,
    ...(parent === undefined ? {} : { parent }),
    training: { from: 1, to: 2, rows: 200, metrics: { logLoss: 1, accuracy: 0.5 } },
    label: { kind: 'trade-outcome', samples: 'x.jsonl' },
  };
  const path = join(modelsDir, modelFileName(id, version));
  await saveOnnx(trainLogreg(X, y, 200, 3, { maxIterations: 20 }), path, card);
  return { card, path };
}

describe('claimModelVersion', () => {
  it('hands out each version once, even to claims made at the same time, and never one below the floor or an existing file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 4 }), async (claims, floor, existing) => {
        const modelsDir = await mkdtemp(join(dir, 'claims-'));
        for (const v of existing) await appendFile(join(modelsDir, modelFileName('m', v)), 'taken');
        const got = await Promise.all(Array.from({ length: claims }, () => claimModelVersion(modelsDir, 'm', floor)));
        const versions = got.map((c) => c.version);
        expect(new Set(versions).size).toBe(claims);
        for (const v of versions) {
          expect(v).toBeGreaterThanOrEqual(floor);
          expect(existing).not.toContain(v);
        }
        await got[0]!.release();
        expect((await claimModelVersion(modelsDir, 'm', floor)).version).toBe(versions[0]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('pending registrations', () => {
  it('a queued version is registered by the next writer with its parent, once; a changed file or a taken number stays queued and is reported', async () => {
    const modelsDir = join(dir, 'models');
    const store = await Store.open(join(dir, 'store.duckdb'));
    try {
      const v1 = await saveVersion(modelsDir, 'alpha', 1);
      await registerModel(store, v1.card, v1.path);
      const v2 = await saveVersion(modelsDir, 'alpha', 2, 1);
      await queueRegistration(modelsDir, v2.card, v2.path, '2024-06-02T00:00:00.000Z');
      expect((await listPendingRegistrations(modelsDir)).map((p) => p.entry.card.version)).toEqual([2]);

      const first = await registerPending(store, modelsDir);
      expect(first.registered.map((r) => [r.modelId, r.version, r.parentVersion, r.status])).toEqual([['alpha', 2, 1, 'candidate']]);
      expect(await readdir(pendingDir(modelsDir))).toEqual([]);
      expect(await registerPending(store, modelsDir)).toEqual({ registered: [], refused: [] });

      // Registered but not dequeued (the writer stopped in between): dequeued without a second row.
      await queueRegistration(modelsDir, v2.card, v2.path, '2024-06-02T00:00:00.000Z');
      expect(await registerPending(store, modelsDir)).toEqual({ registered: [], refused: [] });
      expect(await readdir(pendingDir(modelsDir))).toEqual([]);

      // A file changed after it was queued is not registered.
      const v3 = await saveVersion(modelsDir, 'alpha', 3, 2);
      await queueRegistration(modelsDir, v3.card, v3.path, '2024-06-03T00:00:00.000Z');
      await appendFile(v3.path, Buffer.from([0]));
      const changed = await registerPending(store, modelsDir);
      expect(changed.registered).toEqual([]);
      expect(changed.refused[0]!.reason).toContain('changed after it was queued');
      await expect(getModel(store, 'alpha', 3)).rejects.toThrow(/no version 3/);
      await rm(changed.refused[0]!.file);

      // A number another file was registered under is not overwritten.
      const other = await saveVersion(join(dir, 'elsewhere'), 'alpha', 3, 2, '2024-07-01T00:00:00.000Z');
      await registerModel(store, other.card, other.path);
      const v3again = await saveVersion(modelsDir, 'alpha', 3, 2);
      await queueRegistration(modelsDir, v3again.card, v3again.path, '2024-06-03T00:00:00.000Z');
      const taken = await registerPending(store, modelsDir);
      expect(taken.refused[0]!.reason).toContain('already registered with another file');
      expect((await getModel(store, 'alpha', 3)).path).toBe(other.path);
    } finally {
      store.close();
    }
  });
});
