// Public API of the model server. Other folders import from here, never from the files.
export { createModelServer, DEFAULT_BODY_LIMIT } from './createModelServer.ts';
export type { ModelServerOptions } from './createModelServer.ts';
export { SampleStore } from './SampleStore.ts';
export { LatencyWindow } from './LatencyWindow.ts';
export { predictRows, modelColumns } from './predictRows.ts';
export type { RowPrediction } from './predictRows.ts';
export { ServedModel } from './ServedModel.ts';
export { Retrainer, DEFAULT_MIN_SAMPLES, DEFAULT_RETRAIN_WINDOW } from './Retrainer.ts';
export type { RetrainerOptions, RetrainState, RetrainAttempt } from './Retrainer.ts';
export { RegistryWriter } from './RegistryWriter.ts';
export type { RegistryWriterOptions, RegistryWriterState } from './RegistryWriter.ts';
export { runRetrainJob } from './retrainJob.ts';
export type { RetrainJob, RetrainResult, HeldOutRows } from './retrainJob.ts';
export { retrainInWorker } from './retrainInWorker.ts';
