import { createRequire } from 'node:module';
import type onnxProto from 'onnx-proto';

/**
 * onnx-proto, loaded on first use: its generated protobuf code takes ~50 ms to load, which every command that
 * imports the trainers (a replay does, for retraining) would otherwise pay at start.
 */
let loaded: typeof onnxProto.onnx | undefined;
const protos = (): typeof onnxProto.onnx => (loaded ??= (createRequire(import.meta.url)('onnx-proto') as typeof onnxProto).onnx);

/** The opsets the graphs use: Softmax with a last-axis default needs ONNX 13; tree ensembles ai.onnx.ml 3. */
const OPSETS = [
  { domain: '', version: 13 },
  { domain: 'ai.onnx.ml', version: 3 },
];
/** IR version 8 (ONNX 1.10, what onnx-proto 8 describes); onnxruntime reads it. */
const IR_VERSION = 8;

export type AttributeValue = number | string | readonly number[] | readonly string[] | { floats: readonly number[] };

/**
 * One node. Attribute values map to ONNX types by shape: an integer → INT, a string → STRING, an array of
 * numbers → INTS, of strings → STRINGS; `{ floats }` → FLOATS (numbers alone cannot say int or float).
 */
export interface OnnxNode {
  op: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxGraph {
  name: string;
  /** Width of the one input, `features` float32 [N, inputWidth]. */
  inputWidth: number;
  /** Width of the one output, `probabilities` float32 [N, outputWidth]. */
  outputWidth: number;
  nodes: OnnxNode[];
  /** Constant float32 tensors by name. */
  initializers?: Record<string, { dims: number[]; values: Float32Array }>;
  /** Free-form metadata (metadata_props). */
  metadata?: Record<string, string>;
}

/** The serialised ModelProto of a graph with input `features` and output `probabilities`. */
export function encodeOnnx(graph: OnnxGraph): Uint8Array {
  const onnx = protos();
  const Attr = onnx.AttributeProto.AttributeType;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const encoder = new TextEncoder();
  const attribute = (name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto => {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new TypeError(`attribute ${name}: a single float attribute is not supported`);
      return { name, type: Attr.INT, i: value };
    }
    if (typeof value === 'string') return { name, type: Attr.STRING, s: encoder.encode(value) };
    if ('floats' in value) return { name, type: Attr.FLOATS, floats: [...value.floats] };
    if (value.every((v) => typeof v === 'string')) return { name, type: Attr.STRINGS, strings: value.map((v) => encoder.encode(v)) };
    return { name, type: Attr.INTS, ints: [...(value as readonly number[])] };
  };
  const valueInfo = (name: string, width: number): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'xylen',
    opsetImport: OPSETS,
    metadataProps: Object.entries(graph.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([name, value]) => attribute(name, value)),
      })),
      initializer: Object.entries(graph.initializers ?? {}).map(([name, t]) => ({ name, dims: t.dims, dataType: FLOAT, floatData: Array.from(t.values) })),
      input: [valueInfo('features', graph.inputWidth)],
      output: [valueInfo('probabilities', graph.outputWidth)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
