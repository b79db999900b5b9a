import { error } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ params }) => {
  const job = services().jobs.get(params.job);
  if (!job) error(404, { code: 'JOB_NOT_FOUND', message: `no comparison ${params.job} in this studio`, hint: 'comparisons are kept while the studio runs; start one from the models page' });
  return { job: structuredClone(job) };
};
