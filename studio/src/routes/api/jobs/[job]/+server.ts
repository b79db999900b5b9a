import { json } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import type { RequestHandler } from './$types';

/** A comparison job's progress, for the job page to poll. */
export const GET: RequestHandler = ({ params }) => {
  const job = services().jobs.get(params.job);
  if (!job) return json({ code: 'JOB_NOT_FOUND', message: `no comparison ${params.job} in this studio` }, { status: 404 });
  return json(job);
};
