import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XylenError } from '../engine/index.ts';
import { SHARED_MODELS } from '../test/paths.ts';
import { loadModel, type ModelRuntime } from './index.ts';

// The fixtures were made and scored by the real libraries (XGBoost 1.7.4, PyTorch 1.13); see their README.
const fixture = (name: string) => join(SHARED_MODELS, name);
const versions = JSON.parse(await readFile(fixture('versions.json'), 'utf8')) as { features: string[]; classes: ('short' | 'hold' | 'long')[] };
const TOLERANCE = 1e-5;

async function csv(name: string): Promise<{ header: string[]; rows: number[][] }> {
  const [header, ...lines] = (await readFile(fixture(name), 'utf8')).trim().split('\n');
  return { header: header!.split(','), rows: lines.map((line) => line.split(',').map(Number)) };
}

async function predictFixture(runtime: ModelRuntime, inputs: string): Promise<Float64Array> {
  const { header, rows } = await csv(inputs);
  expect(header).toEqual(runtime.card.features);
  return (await runtime.predict(Float32Array.from(rows.flat()), rows.length)).probabilities;
}

function maxAbsDiff(expected: number[][], actual: (r: number, c: number) => number): number {
  let max = 0;
  expected.forEach((row, r) => row.forEach((value, c) => (max = Math.max(max, Math.abs(actual(r, c) - value)))));
  return max;
}

async function inputErrorOf(promise: Promise<unknown>): Promise<XylenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XylenError);
  expect((error as XylenError).exitCode).toBe(2);
  return error as XylenError;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-models-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fixture equivalence: each loader reproduces the library that made the model', () => {
  it('XGBoost multi:softprob: predict_proba within 1e-5', async () => {
    const runtime = await loadModel(fixture('xgb_softprob.json'), { card: { features: versions.features } });
    const probabilities = await predictFixture(runtime, 'xgb_softprob.inputs.csv');
    const expected = (await csv('xgb_softprob.expected.csv')).rows;
    expect(expected).toHaveLength(200);
    expect(maxAbsDiff(expected, (r, c) => probabilities[r * 3 + c]!)).toBeLessThan(TOLERANCE);
    expect(runtime.card.classes).toEqual(versions.classes);
  });

  it('XGBoost binary:logistic: probability of class 1 within 1e-5', async () => {
    const runtime = await loadModel(fixture('xgb_binary.json'), { card: { features: versions.features } });
    const probabilities = await predictFixture(runtime, 'xgb_softprob.inputs.csv');
    const expected = (await csv('xgb_binary.expected.csv')).rows;
    expect(maxAbsDiff(expected, (r) => probabilities[r * 2 + 1]!)).toBeLessThan(TOLERANCE);
    expect(runtime.card.classes).toEqual(['hold', 'long']);
  });

  it('PyTorch MLP as ONNX: softmax within 1e-5; features and classes from its metadata_props', async () => {
    const runtime = await loadModel(fixture('torch_mlp.onnx'));
    try {
      expect(runtime.card.features).toEqual(versions.features);
      expect(runtime.card.classes).toEqual(versions.classes);
      const probabilities = await predictFixture(runtime, 'torch_mlp.inputs.csv');
      expect(maxAbsDiff((await csv('torch_mlp.expected.csv')).rows, (r, c) => probabilities[r * 3 + c]!)).toBeLessThan(TOLERANCE);
      expect(runtime.health()).toMatchObject({ status: 'ok', calls: 1, rows: 200, kind: 'onnx' });
    } finally {
      await runtime.close();
    }
    expect(runtime.health().status).toBe('closed');
  });

  it('action is the most probable class and confidence its probability', async () => {
    const runtime = await loadModel(fixture('xgb_softprob.json'), { card: { features: versions.features } });
    const { rows } = await csv('xgb_softprob.inputs.csv');
    const out = await runtime.predict(Float32Array.from(rows.flat()), rows.length);
    const expected = (await csv('xgb_softprob.expected.csv')).rows;
    const codes = { short: -1, hold: 0, long: 1 } as const;
    expected.forEach((p, r) => {
      const best = p.indexOf(Math.max(...p));
      expect(out.action[r]).toBe(codes[versions.classes[best]!]);
      expect(out.confidence[r]).toBeCloseTo(p[best]!, 5);
    });
  });

  it('a sidecar card beside the model supplies what the XGBoost file lacks', async () => {
    const model = join(dir, 'softprob.json');
    await copyFile(fixture('xgb_softprob.json'), model);
    await writeFile(join(dir, 'softprob.card.json'), JSON.stringify({ id: 'fixture-xgb', version: 3, features: versions.features }));
    const runtime = await loadModel(model);
    expect(runtime.card).toMatchObject({ id: 'fixture-xgb', version: 3, kind: 'xgboost', features: versions.features, classes: versions.classes });
  });
});

describe('bad model files are clear input errors naming the file', () => {
  it('corrupted ONNX bytes', async () => {
    const bytes = await readFile(fixture('torch_mlp.onnx'));
    const path = join(dir, 'corrupt.onnx');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await inputErrorOf(loadModel(path));
    expect(error.code).toBe('MODEL_FILE_CORRUPT');
    expect(error.where).toBe(path);
  });

  it('truncated XGBoost JSON', async () => {
    const text = await readFile(fixture('xgb_softprob.json'), 'utf8');
    const path = join(dir, 'truncated.json');
    await writeFile(path, text.slice(0, Math.floor(text.length * 0.7)));
    const error = await inputErrorOf(loadModel(path, { card: { features: versions.features } }));
    expect(error.code).toBe('MODEL_FILE_CORRUPT');
    expect(error.describe()).toContain(path);
  });

  it('a card whose width does not match the model (XGBoost and ONNX)', async () => {
    const xgb = await inputErrorOf(loadModel(fixture('xgb_binary.json'), { card: { features: versions.features.slice(0, 9) } }));
    expect(xgb.code).toBe('MODEL_INPUT_WIDTH');
    expect(xgb.message).toMatch(/9 features .* reads 10/);
    const onnx = await inputErrorOf(loadModel(fixture('torch_mlp.onnx'), { card: { features: [...versions.features, 'extra'] } }));
    expect(onnx.code).toBe('MODEL_INPUT_WIDTH');
    const classes = await inputErrorOf(loadModel(fixture('torch_mlp.onnx'), { card: { classes: ['hold', 'long'] } }));
    expect(classes.code).toBe('MODEL_OUTPUT_WIDTH');
  });

  it('rows of the wrong width at predict time', async () => {
    const runtime = await loadModel(fixture('xgb_binary.json'), { card: { features: versions.features } });
    expect(() => runtime.predict(new Float32Array(25), 3)).toThrow(/takes rows of 10 features, got 25 values for 3 rows/);
  });

  it('an objective without class probabilities', async () => {
    const json = JSON.parse(await readFile(fixture('xgb_binary.json'), 'utf8')) as { learner: { objective: { name: string } } };
    json.learner.objective.name = 'reg:squarederror';
    const path = join(dir, 'regression.json');
    await writeFile(path, JSON.stringify(json));
    const error = await inputErrorOf(loadModel(path, { card: { features: versions.features } }));
    expect(error.code).toBe('MODEL_OBJECTIVE_UNSUPPORTED');
    expect(error.hint).toContain('multi:softprob');
  });

  it('an XGBoost model with no feature names anywhere, and a card naming a field wrongly', async () => {
    const missing = await inputErrorOf(loadModel(fixture('xgb_softprob.json')));
    expect(missing.code).toBe('MODEL_CARD_INVALID');
    expect(missing.message).toContain('"features"');
    expect(missing.hint).toContain('xgb_softprob.card.json');
    const badClass = await inputErrorOf(loadModel(fixture('xgb_binary.json'), { card: { features: versions.features, classes: ['hold', 'up' as 'long'] } }));
    expect(badClass.message).toContain('classes.1');
  });

  it('a file that is neither .onnx nor .json', async () => {
    expect((await inputErrorOf(loadModel(fixture('README.md')))).code).toBe('MODEL_FORMAT_UNKNOWN');
  });
});
