// Public API of walk-forward analysis: folds with purged training windows, retrained models, stitched out-of-sample equity.
export { planFolds } from './planFolds.ts';
export type { Fold, FoldPlanRequest } from './planFolds.ts';
export { runWalkforward } from './runWalkforward.ts';
export type { WalkforwardRequest, WalkforwardOutcome, FoldResult, FoldModel } from './runWalkforward.ts';
export { listWalkforwards, getWalkforward, WALKFORWARD_ID_PATTERN } from './walkforwardTables.ts';
export type { StoredWalkforward, StoredFold, WalkforwardDetail, WalkforwardStatus } from './walkforwardTables.ts';
