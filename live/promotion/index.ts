// Promotion to live: `xylen promote` (planPromotion, executePromotion) and the live process's side (LivePromoter).
export { PROMOTED_KEYS, settingsOf, targetOf, checkSameTarget, settingsFromRun, pinModelVersions, promotedConfig, settingsDiff } from './promotedSettings.ts';
export type { PromotedSettings, LiveTarget } from './promotedSettings.ts';
export { newPromotionId, parsePromotion, infoOf, PROMOTION_ID_PATTERN } from './Promotion.ts';
export type { Promotion, PromotionInfo } from './Promotion.ts';
export { liveJournalPath, promotedConfigPath, readPromotedConfig, writePromotedConfig } from './promotedConfigFile.ts';
export { loadPromotedConfig } from './loadPromotedConfig.ts';
export { LivePromoter } from './LivePromoter.ts';
export type { LiveModels, LivePromoterDeps } from './LivePromoter.ts';
export { verifyModelFiles } from './verifyModelFiles.ts';
export type { RecordedModel } from './verifyModelFiles.ts';
export { insertPromotion, listPromotions } from './promotionsTable.ts';
export type { PromotionRecord } from './promotionsTable.ts';
export { runEvidence } from './runEvidence.ts';
export type { RunEvidence } from './runEvidence.ts';
export { planPromotion, executePromotion, waitApplied } from './promoteRun.ts';
export type { PlanPromotionInput, PromotionPlan, PromotionOutcome } from './promoteRun.ts';
