import { fail, redirect } from '@sveltejs/kit';
import { challengeEvidence, type ChallengeRequest } from '$lib/server/challengeEvidence.ts';
import { compareRuns } from '$lib/server/compareRuns.ts';
import { describeFailure, guarded } from '$lib/server/httpErrors.ts';
import { promoteChallenger } from '$lib/server/promoteChallenger.ts';
import { services } from '$lib/server/services.ts';
import type { Actions, PageServerLoad } from './$types';

function challengeOf(model: string, source: URLSearchParams | FormData): ChallengeRequest {
  return {
    modelId: model,
    version: Number(source.get('version')),
    championRun: String(source.get('champion') ?? ''),
    challengerRun: String(source.get('challenger') ?? ''),
  };
}

export const load: PageServerLoad = ({ params, url }) =>
  guarded(async () => {
    const request = challengeOf(params.model, url.searchParams);
    return services().access.read(async (store) => {
      const evidence = await challengeEvidence(store, request);
      const comparison = await compareRuns(store, [request.championRun, request.challengerRun]);
      const labels = [evidence.championVersion === null ? 'baseline (no champion)' : `champion v${evidence.championVersion}`, `challenger v${evidence.version}`];
      comparison.runs.forEach((run, i) => (run.label = labels[i]!));
      comparison.curves.forEach((curve, i) => (curve.label = labels[i]!));
      return { evidence, comparison };
    });
  });

export const actions: Actions = {
  /** Promote the challenger, recording the evidence (needs the token: see hooks.server.ts). */
  default: async ({ params, request }) => {
    const form = await request.formData();
    const challenge = challengeOf(params.model, form);
    const reason = String(form.get('reason') ?? '').trim() || 'promoted in the studio on its out-of-sample comparison';
    try {
      await services().access.write((store) => promoteChallenger(store, challenge, reason));
    } catch (failure) {
      const described = describeFailure(failure);
      if (!described) throw failure;
      return fail(described.status === 503 ? 409 : 400, { error: described.body });
    }
    redirect(303, `/models?promoted=${encodeURIComponent(`${params.model}@${challenge.version}`)}#${params.model}`);
  },
};
