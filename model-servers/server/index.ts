// Public API of the model server. Other folders import from here, never from the files.
export { createModelServer, DEFAULT_BODY_LIMIT } from './createModelServer.ts';
export type { ModelServerOptions } from './createModelServer.ts';
export { SampleStore } from './SampleStore.ts';
export { LatencyWindow } from './LatencyWindow.ts';
export { predictRows, modelColumns } from './predictRows.ts';
export type { RowPrediction } from './predictRows.ts';
