import { describeFailure, guarded } from '$lib/server/httpErrors.ts';
import { services } from '$lib/server/services.ts';
import { checkHeatmapRequest, sweepAnalysis, type HeatmapRequest, type SweepAnalysis } from '$lib/server/sweepAnalysis.ts';
import { sweepHead } from '$lib/server/sweepPages.ts';
import type { PageServerLoad } from './$types';

/**
 * The sweep and a page of its results (sorted and paged in SQL) first; DSR, PBO and the heatmap — research/report's
 * loadSweepReport over every result's return series — as a streamed promise, so the table shows while CSCV runs.
 * `?sort=&dir=&page=` drive the table, `?x=&y=&metric=` the heatmap (y empty: the metric against x alone).
 */
export const load: PageServerLoad = ({ params, url }) =>
  guarded(async () => {
    const q = url.searchParams;
    const { access } = services();
    const head = await access.read((store) =>
      sweepHead(store, params.id, {
        sort: q.get('sort'),
        ...(q.has('dir') ? { descending: q.get('dir') !== 'asc' } : {}),
        page: Number(q.get('page') ?? 1) || 1,
        size: Number(q.get('size') ?? 25) || 25,
      }),
    );
    const heatmap: HeatmapRequest = { x: q.get('x'), y: q.get('y'), metric: q.get('metric') };
    checkHeatmapRequest(head.sweep.grid.axes, heatmap);
    const analysis: Promise<SweepAnalysis | { failure: App.Error }> = access
      .read((store) => sweepAnalysis(store, head.sweep, heatmap))
      .catch((failure: unknown) => ({ failure: describeFailure(failure)?.body ?? { message: String(failure) } }));
    return { ...head, analysis };
  });
