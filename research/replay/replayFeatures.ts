import { computeFeatures, type FeatureMatrix } from '../../engine/index.ts';
import type { ReplayInputs } from './loadReplayData.ts';

/** The feature matrix a replay of `inputs` decides on: its decision candles with their context, at its intervals. */
export function replayFeatures(inputs: ReplayInputs): FeatureMatrix {
  return computeFeatures(inputs.decision, inputs.context, { decisionInterval: inputs.decisionInterval, contextInterval: inputs.contextInterval });
}
