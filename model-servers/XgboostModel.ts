import { readFile } from 'node:fs/promises';
import { inputError, invariantError, operationalError } from '../engine/index.ts';
import { ForestWorkers, PARALLEL_MIN_ROWS } from './ForestWorkers.ts';
import { resolveCard, type ModelCard } from './ModelCard.ts';
import { checkInput, outputFromProbabilities, type ModelRuntime } from './ModelRuntime.ts';
import { XgboostForest } from './XgboostForest.ts';

/**
 * An XGBoost JSON model run natively. XGBoost saves no class meaning and often no feature names, so the card
 * (sidecar or registry) supplies them; without one, feature names come from learner.feature_names, and classes
 * default to ['hold', 'long'] for binary:logistic and ['short', 'hold', 'long'] for three classes (Xylen's label
 * order: class = label + 1).
 */
export async function loadXgboostModel(path: string, explicit: Partial<ModelCard> = {}): Promise<ModelRuntime> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw operationalError('MODEL_FILE_UNREADABLE', `cannot read the model file: ${(error as Error).message}`, { where: path, cause: error });
  }
  const forest = XgboostForest.parse(text, path);
  const defaultClasses: ModelCard['classes'] | undefined = forest.groups === 1 ? ['hold', 'long'] : forest.groups === 3 ? ['short', 'hold', 'long'] : undefined;
  const fromModel: Partial<ModelCard> = { kind: 'xgboost', ...(forest.featureNames && { features: [...forest.featureNames] }), ...(defaultClasses && { classes: defaultClasses }) };
  const card = await resolveCard(path, fromModel, explicit);
  if (card.features.length !== forest.numFeature) {
    throw inputError('MODEL_INPUT_WIDTH', `the card names ${card.features.length} features but the model reads ${forest.numFeature}`, {
      where: path,
      hint: 'the card\'s "features" must list every model input, in order',
    });
  }
  const outputs = forest.groups === 1 ? 2 : forest.groups;
  if (card.classes.length !== outputs) {
    throw inputError('MODEL_OUTPUT_WIDTH', `the card names ${card.classes.length} classes but the model gives ${outputs} probabilities`, { where: path });
  }
  let calls = 0;
  let rows = 0;
  let closed = false;
  // Created on the first large batch, so that small models and single snapshots never start threads.
  let workers: ForestWorkers | undefined | null = null;
  const predictInParallel = async (input: Float32Array, n: number, pool: ForestWorkers) =>
    outputFromProbabilities(forest.probabilities(await pool.margins(input, n), n), n, card.classes);
  return {
    card,
    path,
    predict(input: Float32Array, n: number) {
      checkInput(card, input, n);
      if (closed) throw invariantError('MODEL_CLOSED', `model "${card.id}" was closed; load it again to predict`, { where: path });
      calls++;
      rows += n;
      if (n >= PARALLEL_MIN_ROWS) {
        workers ??= ForestWorkers.create(forest.program);
        if (workers) return predictInParallel(input, n, workers);
      }
      return outputFromProbabilities(forest.predictProbabilities(input, n), n, card.classes);
    },
    health: () => ({ status: closed ? 'closed' : 'ok', id: card.id, version: card.version, kind: card.kind, path, calls, rows }),
    async close() {
      closed = true;
      await workers?.close();
    },
  };
}
