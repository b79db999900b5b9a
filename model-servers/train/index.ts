// Public API of the trainers: TypeScript GBDT and logistic regression, saved as ONNX with a model card.
export { trainGbdt } from './trainGbdt.ts';
export type { GbdtParams } from './trainGbdt.ts';
export { predictGbdt } from './GbdtModel.ts';
export type { GbdtModel, Tree } from './GbdtModel.ts';
export { trainLogreg } from './trainLogreg.ts';
export type { LogregParams } from './trainLogreg.ts';
export { predictLogreg } from './LogregModel.ts';
export type { LogregModel } from './LogregModel.ts';
export { saveOnnx, modelToOnnx } from './saveOnnx.ts';
export type { TrainedModel } from './saveOnnx.ts';
export type { TrainedModelCard, LabelSpec, TradeOutcomeLabel, TrainingSummary, TradeClass } from './ModelCard.ts';
export type { ClassLabels } from './checkTrainingData.ts';
export { logLoss, accuracy } from './metrics.ts';
