export type { RiskEvent, RiskRule, RiskEffect } from './RiskEvent.ts';
export { RiskManager, nextUtcMidnight } from './RiskManager.ts';
export type { TradeProposal, RiskDecision, TradingState, ClosedTrade } from './RiskManager.ts';
export type { RiskOptions, RiskLimits, SizingOptions, SizingMethod, StopMode } from './RiskOptions.ts';
export { positionSize, kellyFraction } from './positionSize.ts';
export type { SizingInput, SizingResult } from './positionSize.ts';
export { protectiveLevels } from './protectiveLevels.ts';
export type { LevelsInput, LevelsResult } from './protectiveLevels.ts';
