// Training from the store: real BTCUSDT 5m + 1h candles imported into a temp store, models trained through the
// replay's own feature and label path, saved, registered, loaded back and voting in a replay.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureNames, MemoryJournal, XylenError } from '../../engine/index.ts';
import { importPaths, Store } from '../../data/index.ts';
import { loadReplayData } from '../../research/replay/loadReplayData.ts';
import { replayInputs } from '../../research/replay/replayInputs.ts';
import { testConfig } from '../../research/replay/test/syntheticInputs.ts';
import { SHARED_DATA } from '../../test/paths.ts';
import { bindModel, loadModel } from '../index.ts';
import { getModel, listModels } from '../registry/index.ts';
import { logLoss } from '../train/index.ts';
import { buildTrainingSet, DEFAULT_ZOO, initZoo, PRICE_SCALE_FEATURES, trainModel } from './index.ts';

const DIR = join(SHARED_DATA, 'binance-usdm/BTCUSDT');
const SERIES = { market: 'usdm', symbol: 'BTCUSDT', decisionInterval: '5m', contextInterval: '1h' } as const;
const FROM = Date.UTC(2023, 0, 1);
const TO = Date.UTC(2023, 2, 1);
const CREATED = '2024-06-01T00:00:00.000Z';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-zoo-'));
  store = await Store.open(join(dir, 'store.duckdb'));
  await importPaths(store, [join(DIR, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv'), join(DIR, 'BTCUSDT-1h-2023-01-01_2024-05-14.csv')], {});
});
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('trainModel', () => {
  it('trains on the store, saves <id>-v1.onnx that loadModel and bindModel accept, with its test metrics in the card and the registry', async () => {
    const request = { ...SERIES, from: FROM, to: TO, kind: 'gbdt', id: 'fwd', label: { kind: 'forward-return', horizon: 12 }, modelsDir: join(dir, 'models'), createdAt: CREATED } as const;
    const { card, record } = await trainModel(store, request);
    expect(record.path).toBe(join(dir, 'models', 'fwd-v1.onnx'));
    expect(record).toMatchObject({ modelId: 'fwd', version: 1, parentVersion: null, status: 'candidate' });
    expect(record.trainingMetrics).toEqual(card.training.metrics);
    expect(card.features).toEqual(featureNames(true));

    const runtime = await loadModel(record.path);
    expect(runtime.card).toMatchObject({ id: 'fwd', version: 1, classes: ['short', 'hold', 'long'] });
    expect(() => bindModel(runtime, featureNames(true))).not.toThrow();
    // The card's test log-loss, recomputed independently: the saved ONNX through onnxruntime on the rebuilt test split.
    const set = await buildTrainingSet(store, { ...request, features: card.features, label: { ...request.label, tp: card.label.tp } });
    const output = await runtime.predict(set.test.X, set.test.rows);
    await runtime.close();
    expect(set.test.rows).toBe(card.training.metrics['testRows']);
    expect(logLoss(output.probabilities, set.test.y, set.test.rows, 3)).toBeCloseTo(card.training.metrics.logLoss, 4);
    expect(card.training.metrics.logLoss).toBeLessThan(1.2);

    const again = await trainModel(store, request);
    expect(again.record).toMatchObject({ version: 2, parentVersion: 1, path: join(dir, 'models', 'fwd-v2.onnx') });
  });

  it('splits in time order, each split after every label of the one before is known; a forward-return dead zone balances hold', async () => {
    const set = await buildTrainingSet(store, { ...SERIES, from: FROM, to: TO, features: ['ret_1', 'rsi_14'], label: { kind: 'forward-return', horizon: 48 } });
    expect(set.train.from).toBeGreaterThanOrEqual(FROM);
    expect(set.validation.from).toBeGreaterThanOrEqual(set.train.to + 48 * 300_000);
    expect(set.test.from).toBeGreaterThanOrEqual(set.validation.to + 48 * 300_000);
    expect(set.test.to).toBeLessThan(TO);
    const holdShare = set.train.y.filter((y) => y === 1).length / set.train.rows;
    expect(holdShare).toBeGreaterThan(0.3);
    expect(holdShare).toBeLessThan(0.37);
    expect([...set.train.X].some(Number.isNaN)).toBe(false);
  });

  it('logreg reads only price-independent features by default; a feature the engine lacks is an input error naming it', async () => {
    const { card } = await trainModel(store, { ...SERIES, from: FROM, to: TO, kind: 'logreg', id: 'lin', label: { kind: 'forward-return', horizon: 12 }, modelsDir: join(dir, 'models'), createdAt: CREATED });
    expect(card.features.some((f) => PRICE_SCALE_FEATURES.includes(f))).toBe(false);
    expect(card.features.length).toBe(featureNames(true).length - PRICE_SCALE_FEATURES.length);
    const error = (await buildTrainingSet(store, { ...SERIES, from: FROM, to: TO, features: ['ret_1', 'vol_z'], label: { kind: 'forward-return', horizon: 12 } }).catch((e: unknown) => e)) as XylenError;
    expect(error.code).toBe('UNKNOWN_FEATURE');
    expect(error.message).toContain('"vol_z"');
  });
});

describe('initZoo', () => {
  it('trains four champions that a replay with a config listing them as onnx models runs, each voting in the journal', async () => {
    const results = await initZoo(store, { ...SERIES, from: FROM, to: Date.UTC(2023, 3, 1), modelsDir: join(dir, 'zoo'), createdAt: CREATED });
    expect(results.map((r) => r.card.id)).toEqual(DEFAULT_ZOO.map((m) => m.id));
    expect(new Set(results.map((r) => `${r.card.kind}/${r.card.label.kind}/${r.card.label.horizon}`)).size).toBe(4);
    for (const { card } of results) expect((await getModel(store, card.id)).status).toBe('champion');
    expect((await listModels(store)).filter((m) => m.status === 'champion').length).toBe(4);

    const config = testConfig({ models: results.map((r) => ({ name: r.card.id, kind: 'onnx', path: r.record.path })), ensemble: { quorum: 4, threshold: 0.3 } });
    const inputs = await loadReplayData(store, { ...SERIES, from: Date.UTC(2023, 3, 1), to: Date.UTC(2023, 3, 8) });
    const journal = new MemoryJournal();
    await replayInputs(inputs, config, journal);
    const predictions = journal.votes();
    for (const { card } of results) {
      const votes = predictions.filter((p) => p.model === card.id);
      expect(votes.length).toBeGreaterThan(1500); // a week of 5m decisions
      expect(votes.every((v) => v.confidence > 0)).toBe(true); // every row had its features: no warm-up holds
    }
    expect(new Set(predictions.map((p) => p.action)).size).toBeGreaterThan(1);
    expect(journal.ofType('heartbeat').every((d) => d.votes.length === 4)).toBe(true);
  });

  it('with no candles for the symbol says so and points at import and synth', async () => {
    const error = (await initZoo(store, { ...SERIES, symbol: 'ETHUSDT', modelsDir: join(dir, 'none'), createdAt: CREATED }).catch((e: unknown) => e)) as XylenError;
    expect(error.code).toBe('NO_DATA');
    expect(error.hint).toContain('xylen data synth');
    expect(error.hint).toContain('xylen data import');
  });
});
