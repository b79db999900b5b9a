import { guarded } from '$lib/server/httpErrors.ts';
import { runPage } from '$lib/server/runPage.ts';
import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ params }) => guarded(() => services().access.read((store) => runPage(store, params.id)));
