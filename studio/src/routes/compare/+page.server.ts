import { compareRuns, parseCompareIds } from '$lib/server/compareRuns.ts';
import { guarded } from '$lib/server/httpErrors.ts';
import { runList, type RunSummary } from '$lib/server/runSummaries.ts';
import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) =>
  guarded(async () => {
    const requested = url.searchParams.get('runs');
    const { access } = services();
    const picked = requested === null ? [] : [...new Set(requested.split(',').filter(Boolean))];
    if (picked.length < 2) {
      const list = await access.read((store) => runList(store));
      return { comparison: null, runs: list.runs.filter((r) => r.status === 'complete'), picked };
    }
    const ids = parseCompareIds(requested);
    return { comparison: await access.read((store) => compareRuns(store, ids)), runs: [] as RunSummary[], picked: ids };
  });
