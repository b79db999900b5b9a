export type { RiskEvent, RiskRule, RiskEffect } from './RiskEvent.ts';
