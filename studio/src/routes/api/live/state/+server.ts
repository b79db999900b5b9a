import { json } from '@sveltejs/kit';
import { describeFailure } from '$lib/server/httpErrors.ts';
import { services } from '$lib/server/services.ts';
import type { RequestHandler } from './$types';

/** The live process's status, position, orders, model health and figures now (the page re-reads them after events). */
export const GET: RequestHandler = async () => {
  try {
    return json(await services().live.state());
  } catch (failure) {
    const described = describeFailure(failure);
    if (!described) throw failure;
    return json(described.body, { status: described.status });
  }
};
