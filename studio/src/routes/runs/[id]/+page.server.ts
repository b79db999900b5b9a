import { describeFailure, guarded } from '$lib/server/httpErrors.ts';
import { runPageHead, runSeries, type RunSeries } from '$lib/server/runPage.ts';
import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

/**
 * The run and its tables first; the charts' series as a streamed promise: the browser parses and hydrates the page
 * while the studio downsamples them. A failure there (the store turned busy) is a value the page shows, not an error.
 */
export const load: PageServerLoad = ({ params }) =>
  guarded(async () => {
    const { access } = services();
    const head = await access.read((store) => runPageHead(store, params.id));
    const series: Promise<RunSeries | { failure: App.Error }> = access
      .read((store) => runSeries(store, head.run))
      .catch((failure: unknown) => ({ failure: describeFailure(failure)?.body ?? { message: String(failure) } }));
    return { ...head, series };
  });
