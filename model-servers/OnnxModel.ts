import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { inputError, operationalError } from '../engine/index.ts';
import { cardFromMetadata, resolveCard, type ModelCard } from './ModelCard.ts';
import { meteredRuntime } from './meteredRuntime.ts';
import { outputFromProbabilities, type ModelRuntime } from './ModelRuntime.ts';
import { forestRuntime } from './forestRuntime.ts';
import { onnxTreesAsXgboost } from './onnxTreesAsXgboost.ts';
import { XgboostForest } from './XgboostForest.ts';

/**
 * An ONNX model run by onnxruntime: one float32 input [batch, features] and an output of class probabilities
 * [batch, classes] — the output named `probabilities` when there is one (PyTorch exports, and skl2onnx/onnxmltools
 * classifiers exported with zipmap=False, which also output `label`), else the only output. Feature names and class
 * order come from metadata_props `features` and `classes`, or the sidecar card. A graph that is only a tree ensemble
 * and a Softmax (the GBDT trainer's) is run by the WebAssembly forest kernel instead (onnxTreesAsXgboost.ts).
 */
export async function loadOnnxModel(path: string, explicit: Partial<ModelCard> = {}): Promise<ModelRuntime> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw operationalError('MODEL_FILE_UNREADABLE', `cannot read the model file: ${(error as Error).message}`, { where: path, cause: error });
  }
  const corrupt = (error: unknown) =>
    inputError('MODEL_FILE_CORRUPT', `not a valid ONNX model (truncated or corrupted?): ${(error as Error).message}`, {
      where: path,
      hint: 'export the model again (torch.onnx.export, skl2onnx, onnxmltools)',
      cause: error,
    });
  let metadata: Map<string, string>;
  let session: ort.InferenceSession;
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnxProto.onnx.ModelProto.decode(bytes);
    metadata = new Map((proto.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
    session = await ort.InferenceSession.create(bytes);
  } catch (error) {
    throw corrupt(error);
  }
  try {
    return await onnxRuntime(path, session, await resolveCard(path, { kind: 'onnx', ...cardFromMetadata(metadata, path) }, explicit), proto.graph);
  } catch (error) {
    await session.release();
    throw error;
  }
}

async function onnxRuntime(path: string, session: ort.InferenceSession, card: ModelCard, graph: onnxProto.onnx.IGraphProto | null | undefined): Promise<ModelRuntime> {
  const [input, ...moreInputs] = session.inputMetadata;
  if (!input || moreInputs.length > 0 || !input.isTensor || input.type !== 'float32' || input.shape.length !== 2) {
    throw inputError('MODEL_SIGNATURE_UNSUPPORTED', `the model must take one float32 input [batch, features]; it takes ${describe(session.inputMetadata)}`, { where: path });
  }
  const width = input.shape[1];
  if (typeof width === 'number' && width !== card.features.length) {
    throw inputError('MODEL_INPUT_WIDTH', `the model's input "${input.name}" is ${width} wide but its card names ${card.features.length} features`, {
      where: path,
      hint: 'the card\'s "features" (metadata_props or sidecar) must list every model input, in order',
    });
  }
  const output = session.outputMetadata.find((o) => o.name === 'probabilities') ?? (session.outputMetadata.length === 1 ? session.outputMetadata[0] : undefined);
  if (!output || !output.isTensor || output.type !== 'float32') {
    throw inputError('MODEL_SIGNATURE_UNSUPPORTED', `no float32 tensor output of class probabilities among ${describe(session.outputMetadata)}`, {
      where: path,
      hint: 'name the output "probabilities"; export sklearn classifiers with options={"zipmap": False}',
    });
  }
  const classes = output.shape[1];
  if (output.shape.length !== 2 || (typeof classes === 'number' && classes !== card.classes.length)) {
    throw inputError('MODEL_OUTPUT_WIDTH', `output "${output.name}" has shape [${output.shape.join(', ')}] but the card names ${card.classes.length} classes`, { where: path });
  }
  // A plain tree ensemble (what the GBDT trainer saves) runs on the forest kernel; onnxruntime checked the file above.
  const forest = forestOf(graph, output.name, path);
  if (forest && forest.numFeature === card.features.length && forest.groups === card.classes.length) {
    await session.release();
    return forestRuntime(forest, card, path);
  }
  return meteredRuntime(card, path, {
    async predict(data: Float32Array, n: number) {
      if (n === 0) return outputFromProbabilities(new Float64Array(0), 0, card.classes);
      const result = await session.run({ [input.name]: new ort.Tensor('float32', data, [n, card.features.length]) }, [output.name]);
      const tensor = result[output.name]!;
      if (tensor.dims.length !== 2 || tensor.dims[0] !== n || tensor.dims[1] !== card.classes.length) {
        throw operationalError('MODEL_OUTPUT_WIDTH', `output "${output.name}" came back as [${tensor.dims.join(', ')}], expected [${n}, ${card.classes.length}]`, { where: path });
      }
      return outputFromProbabilities(Float64Array.from(tensor.data as Float32Array), n, card.classes);
    },
    close: () => session.release(),
  });
}

/** The graph as an XGBoost forest when it is a plain tree ensemble the kernel can run (depth within its limit), else undefined. */
function forestOf(graph: onnxProto.onnx.IGraphProto | null | undefined, output: string, path: string): XgboostForest | undefined {
  const json = onnxTreesAsXgboost(graph, output);
  if (!json) return undefined;
  try {
    return XgboostForest.fromJson(json, path);
  } catch {
    return undefined; // e.g. trees deeper than the padded layout allows: onnxruntime runs them
  }
}

function describe(values: readonly ort.InferenceSession.ValueMetadata[]): string {
  return values.map((v) => (v.isTensor ? `${v.name}: ${v.type} [${v.shape.join(', ')}]` : `${v.name}: (not a tensor)`)).join(', ') || 'nothing';
}
