import { guarded } from '$lib/server/httpErrors.ts';
import { services } from '$lib/server/services.ts';
import { walkforwardPage } from '$lib/server/walkforwardPage.ts';
import type { PageServerLoad } from './$types';

/** A walk-forward: folds, stitched out-of-sample metrics and equity (condensed in SQL). */
export const load: PageServerLoad = ({ params }) => guarded(() => services().access.read((store) => walkforwardPage(store, params.id)));
