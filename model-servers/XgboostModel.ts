import { readFile } from 'node:fs/promises';
import { inputError, operationalError } from '../engine/index.ts';
import { forestRuntime } from './forestRuntime.ts';
import { resolveCard, type ModelCard } from './ModelCard.ts';
import type { ModelRuntime } from './ModelRuntime.ts';
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
  return forestRuntime(forest, card, path);
}
