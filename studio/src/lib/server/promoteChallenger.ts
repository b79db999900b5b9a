import type { Store } from '../../../../data/index.ts';
import { promote, type ChampionChange } from '../../../../model-servers/registry/index.ts';
import { challengeEvidence, type ChallengeEvidence, type ChallengeRequest } from './challengeEvidence.ts';

/**
 * Promote a challenger on the evidence of its comparison: the evidence is gathered again inside the write (never
 * taken from the browser), checked (the runs used the versions they claim, over the same period), and stored with the
 * promotion in the registry's event log.
 */
export async function promoteChallenger(store: Store, request: ChallengeRequest, reason: string): Promise<{ change: ChampionChange; evidence: ChallengeEvidence }> {
  const evidence = await challengeEvidence(store, request);
  const change = await promote(store, request.modelId, request.version, reason, { ...evidence, recordedBy: 'xylen studio' });
  return { change, evidence };
}
