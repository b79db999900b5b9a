import { guarded } from '$lib/server/httpErrors.ts';
import { services } from '$lib/server/services.ts';
import { sweepList } from '$lib/server/sweepPages.ts';
import { XylenError } from '../../../../engine/index.ts';
import type { PageServerLoad } from './$types';

/** Every stored sweep and walk-forward analysis, newest first. */
export const load: PageServerLoad = () =>
  guarded(async () => {
    try {
      return { ...(await services().access.read((store) => sweepList(store))), storeMissing: false };
    } catch (failure) {
      if (failure instanceof XylenError && failure.code === 'STORE_MISSING') return { sweeps: [], walkforwards: [], storeMissing: true };
      throw failure;
    }
  });
