// Public API of the model zoo: train models on the store's data and register them; the default four.
export { trainModel, defaultFeatures, TRAINER_KINDS, PRICE_SCALE_FEATURES, TRAIN_STEPS } from './trainModel.ts';
export type { TrainerKind, TrainModelRequest, TrainModelResult } from './trainModel.ts';
export { buildTrainingSet, TRADE_CLASSES } from './trainingSet.ts';
export type { LabelRequest, TrainingSet, TrainingSetRequest, SplitRows } from './trainingSet.ts';
export { initZoo, DEFAULT_ZOO } from './initZoo.ts';
export type { InitZooRequest, ZooModel } from './initZoo.ts';
