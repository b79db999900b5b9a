import { guarded } from '$lib/server/httpErrors.ts';
import { runList, SUMMARY_METRICS, type RunFilters, type SummaryMetric } from '$lib/server/runSummaries.ts';
import { services } from '$lib/server/services.ts';
import { parseTime, XylenError } from '../../../../engine/index.ts';
import type { PageServerLoad } from './$types';

/** Runs shown at most; the filters narrow a longer list. */
const LIMIT = 500;

export const load: PageServerLoad = ({ url }) =>
  guarded(async () => {
    const q = url.searchParams;
    const time = (name: string) => {
      const text = q.get(name);
      return text ? parseTime(text, name) : undefined;
    };
    const sort = q.get('sort');
    const filters: RunFilters = {
      kind: q.get('kind') || undefined,
      symbol: q.get('symbol') || undefined,
      status: q.get('status') || undefined,
      method: q.get('method') || undefined,
      createdFrom: time('from'),
      // "to" is a day the user means to include.
      createdTo: (() => {
        const to = time('to');
        return to === undefined ? undefined : q.get('to')!.length === 10 ? to + 86_400_000 : to;
      })(),
      sort: sort && (SUMMARY_METRICS as readonly string[]).includes(sort) ? (sort as SummaryMetric) : 'createdAt',
      descending: q.get('dir') !== 'asc',
    };
    const { access } = services();
    try {
      const list = await access.read((store) => runList(store, filters));
      // Only the rows shown go to the page; `matched` counts the rest.
      return { ...list, runs: list.runs.slice(0, LIMIT), matched: list.runs.length, limit: LIMIT, filters, storeMissing: false };
    } catch (failure) {
      if (failure instanceof XylenError && failure.code === 'STORE_MISSING') {
        return { total: 0, runs: [], matched: 0, limit: LIMIT, facets: { kinds: [], symbols: [], statuses: [], methods: [] }, filters, storeMissing: true };
      }
      throw failure;
    }
  });
