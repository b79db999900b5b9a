// Public API of retraining from trade outcomes: the shared fit (model server and replay), and the replay's
// in-run retraining client.
export { fitOnSamples, MIN_RETRAIN_SAMPLES, RETRAIN_GBDT_DEFAULTS } from './fitOnSamples.ts';
export type { LabelledSample, FitSpec, Fitted, SampleSplit } from './fitOnSamples.ts';
export { ReplayRetrainingClient } from './ReplayRetrainingClient.ts';
export type { ReplayRetrainOptions, ReplayRetrain } from './ReplayRetrainingClient.ts';
