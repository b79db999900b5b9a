// Public API of the model runtimes. Other folders import from here, never from the files.
export { loadModel, outputFromProbabilities, checkInput } from './ModelRuntime.ts';
export type { ModelRuntime, ModelOutput, ModelHealth, LoadModelOptions } from './ModelRuntime.ts';
export { cardPathFor, cardFromMetadata, resolveCard, MODEL_KINDS } from './ModelCard.ts';
export type { ModelCard, ModelClass, ModelKind } from './ModelCard.ts';
export { XgboostForest, XGBOOST_OBJECTIVES, MAX_TREE_DEPTH } from './XgboostForest.ts';
export { bindModel, featureColumns } from './bindModel.ts';
export { readFeatureCsv } from './readFeatureCsv.ts';
export type { FeatureCsv } from './readFeatureCsv.ts';
