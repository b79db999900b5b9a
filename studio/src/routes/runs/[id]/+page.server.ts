import { describeFailure, guarded } from '$lib/server/httpErrors.ts';
import { runPageHead, runSeries, type RunSeries } from '$lib/server/runPage.ts';
import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

/**
 * The run and its tables first; the charts' series as a streamed promise: the browser parses and hydrates the page
 * while the studio downsamples them. A failure there (the store turned busy) is a value the page shows, not an error.
 */
export const load: PageServerLoad = ({ params, setHeaders }) =>
  guarded(async () => {
    const { access } = services();
    const started = performance.now();
    const head = await access.read((store) => runPageHead(store, params.id));
    // The head's share of the first byte (the run, its tables' first pages, costs); the series come after the headers.
    setHeaders({ 'server-timing': `head;dur=${(performance.now() - started).toFixed(1)};desc="run, first pages, costs"` });
    const series: Promise<RunSeries | { failure: App.Error }> = access
      .read((store) => runSeries(store, head.run))
      .catch((failure: unknown) => ({ failure: describeFailure(failure)?.body ?? { message: String(failure) } }));
    return { ...head, series };
  });
