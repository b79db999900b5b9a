import type { Interval } from '../Interval.ts';
import { CONTEXT_FEATURES } from './ContextFeatures.ts';
import { DECISION_FEATURES } from './DecisionFeatures.ts';

/** Which intervals the feature set reads: decisions on `decisionInterval`, context from `contextInterval`. */
export interface FeatureSpec {
  decisionInterval: Interval;
  contextInterval: Interval;
}

export const DEFAULT_FEATURE_SPEC: FeatureSpec = { decisionInterval: '5m', contextInterval: '1h' };

/** Column names of the feature matrix: the decision features, then the context features when context is given. */
export function featureNames(withContext: boolean): readonly string[] {
  return withContext ? [...DECISION_FEATURES, ...CONTEXT_FEATURES] : [...DECISION_FEATURES];
}
