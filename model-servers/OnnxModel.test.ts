import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XylenError } from '../engine/index.ts';
import { loadModel } from './index.ts';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const W = [0.5, -1, 0.25, 2, 0.1, -0.3, -0.7, 0.9, 1.5, 0.05, -0.2, 0.4]; // 4 features × 3 classes

/**
 * A linear classifier shaped like skl2onnx/onnxmltools output: `label` first, then `probabilities`; with
 * `zipmap`, the probabilities become a sequence of maps (their default), which onnxruntime-node cannot return.
 */
function classifier(options: { zipmap?: boolean; metadata?: Record<string, string> } = {}): Uint8Array {
  const tensor = (name: string, elemType: number, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  const nodes: onnxProto.onnx.INodeProto[] = [
    { opType: 'MatMul', input: ['X', 'W'], output: ['Z'] },
    { opType: 'ArgMax', input: ['Z'], output: ['label'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }, { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
    { opType: 'Softmax', input: ['Z'], output: ['probabilities'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
  ];
  const outputs: onnxProto.onnx.IValueInfoProto[] = [tensor('label', INT64, ['N'])];
  if (options.zipmap) {
    nodes.push({ opType: 'ZipMap', domain: 'ai.onnx.ml', input: ['probabilities'], output: ['output_probability'], attribute: [{ name: 'classlabels_int64s', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 1, 2] }] });
    outputs.push({ name: 'output_probability', type: { sequenceType: { elemType: { mapType: { keyType: INT64, valueType: { tensorType: { elemType: FLOAT } } } } } } });
  } else outputs.push(tensor('probabilities', FLOAT, ['N', 3]));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    producerName: 'xylen-test',
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'linear',
      node: nodes,
      initializer: [{ name: 'W', dataType: FLOAT, dims: [4, 3], floatData: W }],
      input: [tensor('X', FLOAT, ['N', 4])],
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function softmaxOfLinear(row: number[]): number[] {
  const z = [0, 1, 2].map((c) => row.reduce((s, x, f) => s + Math.fround(x) * W[f * 3 + c]!, 0));
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  return e.map((v) => v / e.reduce((a, b) => a + b, 0));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-onnx-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ONNX classifiers with label and probabilities outputs', () => {
  it('reads the probabilities tensor (not the label), and the whole card from metadata_props xylen.card', async () => {
    const card = { id: 'linear', version: 4, kind: 'logreg', features: ['a', 'b', 'c', 'd'], classes: ['short', 'hold', 'long'], parent: 3 };
    const path = join(dir, 'linear.onnx');
    await writeFile(path, classifier({ metadata: { 'xylen.card': JSON.stringify(card), producer_note: 'ignored' } }));
    const runtime = await loadModel(path);
    try {
      expect(runtime.card).toMatchObject(card);
      const rows = [
        [0.1, 0.2, -0.3, 1],
        [2, -1, 0.5, 0],
        [-1, -1, -1, -1],
      ];
      const out = await runtime.predict(Float32Array.from(rows.flat()), rows.length);
      rows.forEach((row, r) => softmaxOfLinear(row).forEach((p, c) => expect(Math.abs(out.probabilities[r * 3 + c]! - p)).toBeLessThan(1e-6)));
      expect(await runtime.predict(new Float32Array(0), 0)).toMatchObject({ action: new Int8Array(0) });
    } finally {
      await runtime.close();
    }
    await expect(async () => runtime.predict(new Float32Array(4), 1)).rejects.toThrow(/was closed/);
  });

  it('a sidecar card overrides the metadata (renaming a brought model\'s inputs)', async () => {
    const path = join(dir, 'renamed.onnx');
    await writeFile(path, classifier({ metadata: { features: 'a,b,c,d', classes: '["short","hold","long"]' } }));
    await writeFile(join(dir, 'renamed.card.json'), JSON.stringify({ features: ['ret_1', 'ret_3', 'ret_12', 'ret_48'] }));
    const runtime = await loadModel(path);
    expect(runtime.card.features).toEqual(['ret_1', 'ret_3', 'ret_12', 'ret_48']);
    expect(runtime.card.classes).toEqual(['short', 'hold', 'long']);
    await runtime.close();
  });

  it('probabilities as a sequence of maps (ZipMap) is a clear error with the export option that avoids it', async () => {
    const path = join(dir, 'zipmap.onnx');
    await writeFile(path, classifier({ zipmap: true, metadata: { features: 'a,b,c,d', classes: 'short,hold,long' } }));
    const error = (await loadModel(path).catch((e: unknown) => e)) as XylenError;
    expect(error).toBeInstanceOf(XylenError);
    expect(error.code).toBe('MODEL_SIGNATURE_UNSUPPORTED');
    expect(error.message).toContain('output_probability: (not a tensor)');
    expect(error.hint).toContain('zipmap');
  });

  it('a model without class meaning anywhere asks for a card', async () => {
    const path = join(dir, 'bare.onnx');
    await writeFile(path, classifier({ metadata: { features: 'a,b,c,d' } }));
    const error = (await loadModel(path).catch((e: unknown) => e)) as XylenError;
    expect(error.code).toBe('MODEL_CARD_INVALID');
    expect(error.message).toContain('"classes"');
    expect(error.hint).toContain('bare.card.json');
  });
});
