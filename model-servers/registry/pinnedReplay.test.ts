// Replays that name registered models (`model: id@version`, endpoint `inproc:id@version`) on real BTCUSDT candles:
// the pinned version is the one that votes, and the run manifest records it with its file's checksum.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryJournal, XylenError } from '../../engine/index.ts';
import { importPaths, Store } from '../../data/index.ts';
import type { XylenConfigInput } from '../../config/index.ts';
import { loadReplayData } from '../../research/replay/loadReplayData.ts';
import { replayInputs } from '../../research/replay/replayInputs.ts';
import { runStoredReplay } from '../../research/replay/runStoredReplay.ts';
import { testConfig } from '../../research/replay/test/syntheticInputs.ts';
import { SHARED_DATA } from '../../test/paths.ts';
import { trainModel } from '../zoo/index.ts';
import { fileSha256, loadConfiguredModels, promote, type ModelRecord } from './index.ts';

const DIR = join(SHARED_DATA, 'binance-usdm/BTCUSDT');
const SERIES = { market: 'usdm', symbol: 'BTCUSDT', decisionInterval: '5m', contextInterval: '1h' } as const;
const RANGE = { market: 'usdm', symbol: 'BTCUSDT', from: Date.UTC(2023, 2, 1), to: Date.UTC(2023, 2, 6) } as const;

let dir: string;
let store: Store;
const versions: ModelRecord[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-pinned-'));
  store = await Store.open(join(dir, 'store.duckdb'));
  await importPaths(store, [join(DIR, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv'), join(DIR, 'BTCUSDT-1h-2023-01-01_2024-05-14.csv')], {});
  // Two versions of one id that disagree: different features; v1 is the champion.
  for (const features of [['ret_1', 'ret_3', 'rsi_14'], ['ret_12', 'ret_48', 'macd_hist_rel', 'bb_pctb_20']]) {
    const { record } = await trainModel(store, { ...SERIES, from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 2, 1), kind: 'logreg', id: 'pin', features, label: { kind: 'forward-return', horizon: 12 }, modelsDir: join(dir, 'models'), createdAt: '2024-06-01T00:00:00.000Z' });
    versions.push(record);
  }
  await promote(store, 'pin', 1, 'test');
}, 60_000);
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const configWith = (pin: Record<string, unknown>) =>
  testConfig({ models: [{ name: 'pin', ...pin }, { name: 'rsi', kind: 'rule', rule: 'rsi' }], ensemble: { quorum: 1, threshold: 0.3 } } as XylenConfigInput);

/** The pin model's votes in a replay of RANGE. */
async function votes(pin: Record<string, unknown>): Promise<string[]> {
  const config = configWith(pin);
  const inputs = await loadReplayData(store, { ...RANGE, decisionInterval: '5m', contextInterval: '1h' });
  const registered = await loadConfiguredModels(store, config.models);
  const journal = new MemoryJournal();
  await replayInputs(inputs, config, journal, { registered: new Map([...registered].map(([i, m]) => [i, m.runtime])) });
  return journal
    .votes()
    .filter((p) => p.model === 'pin')
    .map((p) => `${p.ts}:${p.action}:${p.confidence}`);
}

describe('registry versions in a replay', () => {
  it('model: id@version votes exactly as that version\'s file; a bare id is its champion; inproc:id@version is the same model', async () => {
    const [v1, v2] = versions as [ModelRecord, ModelRecord];
    const pinned2 = await votes({ kind: 'onnx', model: 'pin@2' });
    expect(pinned2.length).toBeGreaterThan(1000);
    expect(pinned2).toEqual(await votes({ kind: 'onnx', path: v2.path }));
    expect(await votes({ kind: 'http', endpoint: 'inproc:pin@2' })).toEqual(pinned2);
    const champion = await votes({ kind: 'onnx', model: 'pin' });
    expect(champion).toEqual(await votes({ kind: 'onnx', path: v1.path }));
    expect(champion).not.toEqual(pinned2);
  });

  it('the run manifest records the version each registry entry resolved to and its file checksum', async () => {
    const [v1, v2] = versions as [ModelRecord, ModelRecord];
    const pinned = await runStoredReplay(store, configWith({ kind: 'onnx', model: 'pin@2' }), RANGE);
    expect(pinned.manifest.models).toEqual([
      { name: 'pin', kind: 'onnx', version: 'pin@2', sha256: v2.fileSha256 },
      { name: 'rsi', kind: 'rule', version: 'rule:rsi' },
    ]);
    const champion = await runStoredReplay(store, configWith({ kind: 'http', endpoint: 'inproc:pin' }), RANGE);
    expect(champion.manifest.models[0]).toEqual({ name: 'pin', kind: 'http', version: 'pin@1', sha256: v1.fileSha256 });
    const byPath = await runStoredReplay(store, configWith({ kind: 'onnx', path: v1.path }), RANGE);
    expect(byPath.manifest.models[0]).toEqual({ name: 'pin', kind: 'onnx', sha256: await fileSha256(v1.path) });
    expect(byPath.metrics).toEqual(champion.metrics);
  });

  it('an unknown version, a malformed reference, or a registry entry without the registry: errors naming the config key', async () => {
    const unknown = (await runStoredReplay(store, configWith({ kind: 'onnx', model: 'pin@7' }), RANGE).catch((e: unknown) => e)) as XylenError;
    expect([unknown.code, unknown.where]).toEqual(['MODEL_VERSION_UNKNOWN', 'models.0.model']);
    expect(unknown.hint).toContain('1, 2');
    const bad = (await runStoredReplay(store, configWith({ kind: 'http', endpoint: 'inproc:pin@x' }), RANGE).catch((e: unknown) => e)) as XylenError;
    expect([bad.code, bad.where]).toEqual(['MODEL_REF_INVALID', 'models.0.endpoint']);
    const inputs = await loadReplayData(store, { ...RANGE, decisionInterval: '5m', contextInterval: '1h' });
    const without = (await replayInputs(inputs, configWith({ kind: 'onnx', model: 'pin@2' }), new MemoryJournal()).catch((e: unknown) => e)) as XylenError;
    expect([without.code, without.where]).toEqual(['MODEL_REGISTRY_UNAVAILABLE', 'models.0.model']);
    expect(() => configWith({ kind: 'onnx', model: 'pin@0' })).toThrow();
    const both = (await runStoredReplay(store, configWith({ kind: 'onnx', model: 'pin@2', path: versions[0]!.path }), RANGE).catch((e: unknown) => e)) as XylenError;
    expect([both.code, both.where]).toEqual(['MODEL_SOURCE_AMBIGUOUS', 'models.0.model']);
  });
});
