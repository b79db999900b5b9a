import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XylenError } from '../../engine/index.ts';
import { Store } from '../../data/index.ts';
import { saveOnnx, trainLogreg, type TrainedModelCard } from '../train/index.ts';
import { syntheticClasses } from '../train/test/syntheticClasses.ts';
import { championHistory, getModel, listModels, loadRegisteredModel, modelEvents, modelFileName, promote, registerModel, rollback } from './index.ts';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-registry-'));
  store = await Store.open(join(dir, 'store.duckdb'));
});
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A small real model saved as `<id>-v<version>.onnx`, as the trainers write it. */
async function saveVersion(id: string, version: number, seed: number): Promise<{ card: TrainedModelCard; path: string }> {
  const { X, y } = syntheticClasses(300, 3, seed);
  const model = trainLogreg(X, y, 300, 3, { maxIterations: 30 });
  const card: TrainedModelCard = {
    id,
    version,
    kind: 'logreg',
    features: ['ret_1', 'rsi_14', 'bb_pctb_20'],
    classes: ['short', 'hold', 'long'],
    createdAt: `2024-05-0${version}T00:00:00.000Z`,
    ...(version > 1 ? { parent: version - 1 } : {}),
    training: { from: 1_700_000_000_000 + version, to: 1_700_100_000_000, rows: 300, metrics: { logLoss: 1 / version, accuracy: 0.4 } },
    label: { kind: 'forward-return', horizon: 12, tp: 0.002, sl: 0.002 },
  };
  const path = join(dir, modelFileName(id, version));
  await saveOnnx(model, path, card);
  return { card, path };
}

describe('model registry', () => {
  it('registers versions with lineage, metrics and the checksum of the file, and lists them', async () => {
    for (const v of [1, 2, 3]) {
      const { card, path } = await saveVersion('alpha', v, v);
      const record = await registerModel(store, card, path);
      const expected = createHash('sha256').update(await readFile(path)).digest('hex');
      expect(record).toMatchObject({ modelId: 'alpha', version: v, parentVersion: v > 1 ? v - 1 : null, kind: 'logreg', status: 'candidate', path, fileSha256: expected });
      expect(record.trainingMetrics).toEqual(card.training.metrics);
      expect(record.trainingFrom).toBe(card.training.from);
      expect(record.features).toEqual(card.features);
      expect(record.label).toEqual(card.label);
      expect(record.createdAt).toBe(card.createdAt);
    }
    const { card, path } = await saveVersion('beta', 1, 9);
    await registerModel(store, card, path);
    expect((await listModels(store)).map((m) => `${m.modelId}@${m.version}`)).toEqual(['alpha@1', 'alpha@2', 'alpha@3', 'beta@1']);
    expect((await listModels(store, 'alpha')).length).toBe(3);
  });

  it('refuses a version registered twice and a version that is not a positive integer', async () => {
    const { card, path } = await saveVersion('alpha', 1, 1);
    const twice = await registerModel(store, card, path).catch((e: unknown) => e);
    expect((twice as XylenError).code).toBe('MODEL_VERSION_EXISTS');
    const bad = await registerModel(store, { ...card, version: 'v7' }, path).catch((e: unknown) => e);
    expect((bad as XylenError).code).toBe('MODEL_VERSION_INVALID');
  });

  it('promote retires the old champion; rollback brings back the previous champions in order', async () => {
    expect(await promote(store, 'alpha', 1, 'first')).toEqual({ modelId: 'alpha', champion: 1, previous: null });
    expect(await promote(store, 'alpha', 2)).toEqual({ modelId: 'alpha', champion: 2, previous: 1 });
    await promote(store, 'alpha', 3, 'better log-loss');
    const statuses = async () => Object.fromEntries((await listModels(store, 'alpha')).map((m) => [m.version, m.status]));
    expect(await statuses()).toEqual({ 1: 'retired', 2: 'retired', 3: 'champion' });
    expect((await getModel(store, 'alpha')).version).toBe(3);

    expect(await rollback(store, 'alpha', 'live drawdown')).toEqual({ modelId: 'alpha', champion: 2, previous: 3 });
    expect(await statuses()).toEqual({ 1: 'retired', 2: 'champion', 3: 'retired' });
    await rollback(store, 'alpha');
    expect(await statuses()).toEqual({ 1: 'champion', 2: 'retired', 3: 'retired' });
    const none = await rollback(store, 'alpha').catch((e: unknown) => e);
    expect((none as XylenError).code).toBe('MODEL_NO_PREVIOUS_CHAMPION');

    const events = await modelEvents(store, 'alpha');
    expect(events.map((e) => e.evidence)).toEqual([null, null, null, null, null]);
    expect(events.map((e) => [e.event, e.version, e.previousVersion, e.reason])).toEqual([
      ['promote', 1, null, 'first'],
      ['promote', 2, 1, null],
      ['promote', 3, 2, 'better log-loss'],
      ['rollback', 2, 3, 'live drawdown'],
      ['rollback', 1, 2, null],
    ]);
    const again = await promote(store, 'alpha', 1).catch((e: unknown) => e);
    expect((again as XylenError).code).toBe('MODEL_ALREADY_CHAMPION');
  });

  it('stores the evidence a promotion was decided on with its event', async () => {
    const evidence = { runs: { champion: 'run-20240101-000000-aaaa', challenger: 'run-20240101-000100-bbbb' }, dsr: 0.97, sharpe: [1.2, 1.9] };
    await promote(store, 'beta', 1, 'better out of sample', evidence);
    const last = (await modelEvents(store, 'beta')).at(-1)!;
    expect(last).toMatchObject({ event: 'promote', version: 1, reason: 'better out of sample' });
    expect(last.evidence).toEqual(evidence);
  });

  it('names what is registered when an id or version is unknown', async () => {
    const id = (await getModel(store, 'gamma').catch((e: unknown) => e)) as XylenError;
    expect(id.code).toBe('MODEL_NOT_REGISTERED');
    expect(id.hint).toContain('alpha, beta');
    const version = (await promote(store, 'beta', 4).catch((e: unknown) => e)) as XylenError;
    expect(version.code).toBe('MODEL_VERSION_UNKNOWN');
  });

  it('loads a registered file with its registry card, and refuses it by name once its bytes change', async () => {
    const { record, runtime } = await loadRegisteredModel(store, 'beta', 1);
    expect(runtime.card).toMatchObject({ id: 'beta', version: 1, features: ['ret_1', 'rsi_14', 'bb_pctb_20'] });
    const out = await runtime.predict(new Float32Array([0.1, 0.2, 0.3]), 1);
    expect(out.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await runtime.close();

    await appendFile(record.path, Buffer.from([0]));
    const changed = (await loadRegisteredModel(store, 'beta', 1).catch((e: unknown) => e)) as XylenError;
    expect(changed).toBeInstanceOf(XylenError);
    expect(changed.code).toBe('MODEL_FILE_CHANGED');
    expect(changed.where).toBe(record.path);
  });

  it('the champion after any sequence of promotes and rollbacks is the top of the replayed history', async () => {
    const id = 'prop';
    for (const v of [1, 2, 3, 4]) {
      const { card, path } = await saveVersion(id, v, 20 + v);
      await registerModel(store, card, path);
    }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(0)), { maxLength: 12 }), async (steps) => {
        // A naive model of the rules: promote pushes (unless it is already champion), rollback pops (unless ≤ 1 left).
        const expected = await championHistory(store, id);
        for (const step of steps) {
          if (step === 0) {
            const ok = expected.length >= 2;
            const result = await rollback(store, id).catch(() => undefined);
            expect(result !== undefined).toBe(ok);
            if (ok) expected.pop();
          } else {
            const ok = expected.at(-1) !== step;
            const result = await promote(store, id, step).catch(() => undefined);
            expect(result !== undefined).toBe(ok);
            if (ok) expected.push(step);
          }
          const champions = (await listModels(store, id)).filter((m) => m.status === 'champion').map((m) => m.version);
          expect(champions).toEqual(expected.length > 0 ? [expected.at(-1)] : []);
        }
      }),
      { numRuns: 15 },
    );
  });
});
