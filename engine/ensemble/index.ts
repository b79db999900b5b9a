export { Ensemble, ENSEMBLE_METHODS } from './Ensemble.ts';
export type { EnsembleDecision, EnsembleMethod, EnsembleOptions } from './Ensemble.ts';
export { ModelRecord } from './ModelRecord.ts';
export { ACTIONS } from './Prediction.ts';
export type { Action, Prediction, Vote } from './Prediction.ts';
export { ensembleFor } from './ensembleFor.ts';
export { checkQuorum } from './checkQuorum.ts';
export type { EnsembleSettings } from './ensembleFor.ts';
