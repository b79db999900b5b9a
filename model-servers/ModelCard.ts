import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import { ACTIONS, inputError, operationalError } from '../engine/index.ts';

/** What a model is and how to feed it: the JSON sidecar `<model without extension>.card.json` and/or ONNX metadata_props. */
export interface ModelCard {
  id: string;
  version: number | string;
  kind: ModelKind;
  /** Input columns, in the order the model reads them. */
  features: string[];
  /** Output classes, in the order of the model's probabilities (a binary model is usually ['hold', 'long']). */
  classes: ModelClass[];
  createdAt?: string;
  parent?: number | string;
  training?: { from: number | string; to: number | string; rows: number; metrics: Record<string, number> };
  label?: object;
}

export const MODEL_KINDS = ['onnx', 'xgboost', 'gbdt', 'logreg', 'rule'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type ModelClass = (typeof ACTIONS)[number];

const names = (what: string) =>
  z
    .array(z.string().min(1))
    .min(1)
    .refine((list) => new Set(list).size === list.length, `${what} must not repeat`);

const cardSchema = z.object({
  id: z.string().min(1),
  version: z.union([z.int().min(0), z.string().min(1)]),
  kind: z.enum(MODEL_KINDS),
  features: names('features'),
  classes: z.array(z.enum(ACTIONS)).min(2).refine((list) => new Set(list).size === list.length, 'classes must not repeat'),
  createdAt: z.string().optional(),
  parent: z.union([z.int().min(0), z.string().min(1)]).optional(),
  training: z
    .object({ from: z.union([z.number(), z.string()]), to: z.union([z.number(), z.string()]), rows: z.int().min(0), metrics: z.record(z.string(), z.number()) })
    .optional(),
  label: z.record(z.string(), z.unknown()).optional(),
});

/** Where the sidecar card of a model file lives: `models/m.onnx` → `models/m.card.json`. */
export function cardPathFor(modelPath: string): string {
  return modelPath.slice(0, modelPath.length - extname(modelPath).length) + '.card.json';
}

/**
 * The complete card of a model: what the file says about itself (`fromModel`), overridden field by field by the
 * sidecar card (so a user can rename a brought model's inputs to the engine's feature names), overridden by
 * `explicit`; id defaults to the file name and version to 1. Anything still missing or invalid is an input error
 * naming the field.
 */
export async function resolveCard(modelPath: string, fromModel: Partial<ModelCard>, explicit: Partial<ModelCard> = {}): Promise<ModelCard> {
  const sidecarPath = cardPathFor(modelPath);
  const sidecar = await readSidecar(sidecarPath);
  const merged = { id: basename(modelPath, extname(modelPath)), version: 1, ...fromModel, ...sidecar, ...explicit };
  const parsed = cardSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(card)';
    throw inputError('MODEL_CARD_INVALID', `model card field "${field}": ${issue.message}`, {
      where: sidecar ? sidecarPath : modelPath,
      hint:
        field === 'features' || field === 'classes'
          ? `write ${sidecarPath} with e.g. {"features": ["ret_1", "rsi_14", …], "classes": ["short", "hold", "long"]} in the model's input and output order`
          : `fix "${field}" in ${sidecarPath}`,
    });
  }
  return parsed.data as ModelCard;
}

async function readSidecar(path: string): Promise<Partial<ModelCard> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw operationalError('MODEL_CARD_UNREADABLE', `cannot read the model card: ${(error as Error).message}`, { where: path, cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw inputError('MODEL_CARD_INVALID', `the model card is not valid JSON: ${(error as Error).message}`, { where: path, cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw inputError('MODEL_CARD_INVALID', 'the model card must be a JSON object', { where: path });
  }
  return value as Partial<ModelCard>;
}

/**
 * Card fields from ONNX metadata_props (all strings): the whole card as JSON under `xylen.card` (what Xylen's
 * trainers write), or single fields — `features` and `classes` as a JSON array or a comma-separated list (PyTorch
 * exports here), `training` and `label` as JSON, the rest as they are. Unknown keys are ignored (exporters add their own).
 */
export function cardFromMetadata(props: ReadonlyMap<string, string>, where: string): Partial<ModelCard> {
  const card: Record<string, unknown> = {};
  for (const [key, value] of props) {
    if (key === 'xylen.card') Object.assign(card, parseJson(value, key, where));
    else if (key === 'features' || key === 'classes') card[key] = value.trimStart().startsWith('[') ? parseJson(value, key, where) : value.split(',').map((s) => s.trim());
    else if (key === 'training' || key === 'label') card[key] = parseJson(value, key, where);
    else if (key === 'version' || key === 'parent') card[key] = /^\d+$/.test(value) ? Number(value) : value;
    else if (key === 'id' || key === 'kind' || key === 'createdAt') card[key] = value;
  }
  return card as Partial<ModelCard>;
}

function parseJson(text: string, key: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw inputError('MODEL_CARD_INVALID', `metadata_props "${key}" is not valid JSON: ${(error as Error).message}`, { where, cause: error });
  }
}
