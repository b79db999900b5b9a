import { json } from '@sveltejs/kit';
import { describeFailure } from '$lib/server/httpErrors.ts';
import { parsePagedTable, type PageRequest } from '$lib/server/journalPages.ts';
import { runTable } from '$lib/server/runPage.ts';
import { services } from '$lib/server/services.ts';
import type { RequestHandler } from './$types';

/** One page of a run's journal table as JSON: `?page=&size=` (decisions also `outcome=`, `action=`, `at=` Unix ms). */
export const GET: RequestHandler = async ({ params, url }) => {
  const q = url.searchParams;
  const number = (name: string) => (q.has(name) && q.get(name) !== '' ? Number(q.get(name)) : undefined);
  const request: PageRequest = { page: number('page'), size: number('size'), outcome: q.get('outcome') ?? undefined, action: q.get('action') ?? undefined, at: number('at') };
  try {
    const table = parsePagedTable(params.table);
    return json(await services().access.read((store) => runTable(store, params.id, table, request)));
  } catch (failure) {
    const described = describeFailure(failure);
    if (!described) throw failure;
    return json(described.body, { status: described.status });
  }
};
