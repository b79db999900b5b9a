import { fail, redirect } from '@sveltejs/kit';
import type { Market } from '../../../../data/index.ts';
import { inputError, INTERVAL_MS, parseTime, type Interval } from '../../../../engine/index.ts';
import { guarded, describeFailure } from '$lib/server/httpErrors.ts';
import { registryView } from '$lib/server/registryView.ts';
import { services } from '$lib/server/services.ts';
import { studioConfig } from '$lib/server/studioConfig.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) =>
  guarded(async () => {
    const { access, jobs, settings } = services();
    const config = await studioConfig(settings);
    const barMs = INTERVAL_MS[config.intervals.decision as Interval];
    const registry = await access.read((store) => registryView(store, { market: config.market as Market, symbol: config.symbol }, barMs));
    return {
      registry,
      jobs: jobs.list().slice(0, 10),
      decisionInterval: config.intervals.decision,
      promoted: url.searchParams.get('promoted'),
    };
  });

export const actions: Actions = {
  /** Start a champion-vs-challenger replay over the chosen period (needs the token: see hooks.server.ts). */
  challenge: async ({ request }) => {
    const form = await request.formData();
    const modelId = String(form.get('model') ?? '');
    const values = { model: modelId, version: String(form.get('version') ?? ''), from: String(form.get('from') ?? ''), to: String(form.get('to') ?? '') };
    let jobId: string;
    try {
      const version = Number(values.version);
      if (!Number.isInteger(version) || version < 1) throw inputError('BAD_VERSION', `"${values.version}" is not a model version`, { where: 'version' });
      const job = await services().jobs.start({ modelId, version, from: parseTime(values.from, 'from'), to: parseTime(values.to, 'to') });
      jobId = job.id;
    } catch (failure) {
      const described = describeFailure(failure);
      if (!described) throw failure;
      return fail(described.status === 503 ? 409 : 400, { ...values, error: described.body });
    }
    redirect(303, `/models/jobs/${jobId}`);
  },
};
