import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inputError } from '../../engine/index.ts';
import type { GbdtModel } from './GbdtModel.ts';
import { gbdtGraph } from './gbdtGraph.ts';
import type { LogregModel } from './LogregModel.ts';
import { logregGraph } from './logregGraph.ts';
import type { TrainedModelCard } from './ModelCard.ts';
import { encodeOnnx } from './onnxModel.ts';

export type TrainedModel = GbdtModel | LogregModel;

/** The ONNX bytes of a trained model; the card goes into the metadata too (key `xylen.card`). */
export function modelToOnnx(model: TrainedModel, card: TrainedModelCard): Uint8Array {
  checkCard(model, card);
  const graph = model.kind === 'gbdt' ? gbdtGraph(model) : logregGraph(model);
  return encodeOnnx({ ...graph, metadata: { 'xylen.card': JSON.stringify(card) } });
}

/**
 * Writes `path` (ending in .onnx; its folder is made if needed) and the sidecar card beside it (`<name>.card.json`), each through a
 * temporary file and a rename, so that a reader never sees half a model.
 */
export async function saveOnnx(model: TrainedModel, path: string, card: TrainedModelCard): Promise<{ onnx: string; card: string }> {
  if (!path.endsWith('.onnx')) throw inputError('model-path', `a model file must end in .onnx: ${path}`, { where: path });
  const cardPath = `${path.slice(0, -'.onnx'.length)}.card.json`;
  const bytes = modelToOnnx(model, card);
  await mkdir(dirname(path), { recursive: true });
  await replaceFile(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  await replaceFile(path, bytes);
  return { onnx: path, card: cardPath };
}

async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

function checkCard(model: TrainedModel, card: TrainedModelCard): void {
  const problem =
    card.kind !== model.kind
      ? `the card says kind ${card.kind} but the model is ${model.kind}`
      : card.features.length !== model.features
        ? `the card names ${card.features.length} features but the model takes ${model.features}`
        : card.classes.length !== model.classes
          ? `the card names ${card.classes.length} classes but the model has ${model.classes}`
          : undefined;
  if (problem) throw inputError('model-card', problem, { where: `model card ${card.id}` });
}
