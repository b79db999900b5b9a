import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionOfCode, MemoryJournal, XylenError } from '../engine/index.ts';
import { replayInputs } from '../research/replay/replayInputs.ts';
import { syntheticInputs, testConfig } from '../research/replay/test/syntheticInputs.ts';
import { SHARED_MODELS } from '../test/paths.ts';
import { loadModel } from './index.ts';
import { replayFeatures } from '../research/replay/replayFeatures.ts';

// The fixtures read ret_1, ret_12, rsi_14, vol_z, …; a sidecar card renames their 10 inputs to the engine's
// features of similar meaning. The models are then wrong financially but mechanically valid, which is all a
// replay needs to show that trained models vote through the config.
const ENGINE_NAMES = ['ret_1', 'ret_12', 'rsi_14', 'volume_z_48', 'ema_dist_9', 'ema_dist_21', 'macd_hist_rel', 'bb_pctb_20', 'bb_width_20', 'atr_rel_14'];

let dir: string;
let xgbPath: string;
let onnxPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-replay-models-'));
  xgbPath = join(dir, 'xgb.json');
  onnxPath = join(dir, 'mlp.onnx');
  await copyFile(join(SHARED_MODELS, 'xgb_softprob.json'), xgbPath);
  await copyFile(join(SHARED_MODELS, 'torch_mlp.onnx'), onnxPath);
  await writeFile(join(dir, 'xgb.card.json'), JSON.stringify({ id: 'xgb', version: 1, features: ENGINE_NAMES }));
  await writeFile(join(dir, 'mlp.card.json'), JSON.stringify({ id: 'mlp', version: 1, features: ENGINE_NAMES }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('replay with trained models from the config', () => {
  it("an XGBoost and an ONNX model vote; each prediction record is the model's own answer for that row's features", async () => {
    const inputs = syntheticInputs({ seed: 7, days: 2 });
    const config = testConfig({
      models: [
        { name: 'xgb', kind: 'xgboost', path: xgbPath },
        { name: 'mlp', kind: 'onnx', path: onnxPath },
        { name: 'rsi', kind: 'rule', rule: 'rsi' },
      ],
      ensemble: { quorum: 3, threshold: 0.3 },
    });
    const journal = new MemoryJournal();
    await replayInputs(inputs, config, journal);
    const predictions = journal.votes();

    // Recompute independently: the same features, the engine's columns picked by name, one direct predict per model.
    const matrix = replayFeatures(inputs);
    for (const [name, path] of [
      ['xgb', xgbPath],
      ['mlp', onnxPath],
    ] as const) {
      const votes = predictions.filter((p) => p.model === name);
      expect(votes.length).toBeGreaterThan(500); // 2 days of 5m decisions
      const runtime = await loadModel(path);
      const rows = new Float32Array(votes.length * ENGINE_NAMES.length);
      votes.forEach((v, i) => ENGINE_NAMES.forEach((f, c) => (rows[i * ENGINE_NAMES.length + c] = matrix.values[v.row * matrix.width + matrix.names.indexOf(f)]!)));
      expect(rows.some(Number.isNaN)).toBe(false); // decisions start after the warm-up
      const direct = await runtime.predict(rows, votes.length);
      await runtime.close();
      votes.forEach((v, i) => {
        expect(v.action).toBe(actionOfCode(direct.action[i]!));
        expect(v.confidence).toBeCloseTo(direct.confidence[i]!, 12);
      });
      expect(new Set(votes.map((v) => v.action)).size).toBeGreaterThan(1); // the votes vary with the market
    }
    expect(journal.ofType('heartbeat').every((d) => d.votes.length === 3)).toBe(true);
  });

  it('a model that needs a feature the engine lacks fails at load time, naming it and the engine features', async () => {
    await writeFile(join(dir, 'xgb.card.json'), JSON.stringify({ id: 'xgb', version: 1, features: [...ENGINE_NAMES.slice(0, 9), 'vol_z'] }));
    const config = testConfig({ models: [{ name: 'xgb', kind: 'xgboost', path: xgbPath }], ensemble: { quorum: 1 } });
    const error = await replayInputs(syntheticInputs({ seed: 7, days: 1 }), config, new MemoryJournal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XylenError);
    expect((error as XylenError).code).toBe('MODEL_FEATURE_MISSING');
    expect((error as XylenError).message).toContain('"vol_z"');
    expect((error as XylenError).hint).toContain('volume_z_48');
    await writeFile(join(dir, 'xgb.card.json'), JSON.stringify({ id: 'xgb', version: 1, features: ENGINE_NAMES }));
  });

  it('a model kind without a path is an error naming the config key', async () => {
    const config = testConfig({ models: [{ name: 'xgb', kind: 'xgboost' }], ensemble: { quorum: 1 } });
    const error = (await replayInputs(syntheticInputs({ seed: 7, days: 1 }), config, new MemoryJournal()).catch((e: unknown) => e)) as XylenError;
    expect(error.code).toBe('MODEL_PATH_MISSING');
    expect(error.where).toBe('models.0.path');
  });
});
