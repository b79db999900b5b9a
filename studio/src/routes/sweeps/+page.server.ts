import { guarded } from '$lib/server/httpErrors.ts';
import { runList } from '$lib/server/runSummaries.ts';
import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

/** Sweep and walk-forward runs in the store; the full results view arrives with research/sweep's API. */
export const load: PageServerLoad = () =>
  guarded(async () => {
    const list = await services().access.read((store) => runList(store));
    return { runs: list.runs.filter((r) => r.kind === 'sweep' || r.kind === 'walkforward') };
  });
