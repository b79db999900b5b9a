export { ACTION_CODE, actionOfCode, predictionAt } from './RuleModel.ts';
export type { BatchModel, BatchPredictions } from './RuleModel.ts';
export { ruleModel, RULE_NAMES } from './ruleModels.ts';
export type { RuleName } from './ruleModels.ts';
export { PrecomputedModelClient } from './PrecomputedModelClient.ts';
