// Public API of the model registry: model versions with lineage, metrics and file checksums in the store.
export { listModels, getModel, MODEL_STATUSES } from './ModelRecord.ts';
export type { ModelRecord, ModelStatus } from './ModelRecord.ts';
export { registerModel, latestVersion, fileSha256 } from './registerModel.ts';
export { promote, rollback, championHistory, modelEvents } from './promote.ts';
export type { ChampionChange, ModelEvent } from './promote.ts';
export { loadRegisteredModel, verifyModelFile, defaultModelsDir, modelFileName } from './loadRegisteredModel.ts';
export { claimModelVersion } from './claimModelVersion.ts';
export type { ClaimedVersion } from './claimModelVersion.ts';
export { queueRegistration, listPendingRegistrations, registerPending, pendingDir } from './pendingRegistrations.ts';
export type { PendingRegistration, PendingOutcome } from './pendingRegistrations.ts';
export { loadConfiguredModels, configuredRef, parseModelRef } from './loadConfiguredModels.ts';
export type { ConfiguredModel, ConfigModelEntry, ModelRef } from './loadConfiguredModels.ts';
