import { fail } from '@sveltejs/kit';
import { describeFailure } from '$lib/server/httpErrors.ts';
import { services } from '$lib/server/services.ts';
import { XylenError } from '../../../../engine/index.ts';
import type { Actions, PageServerLoad } from './$types';

/**
 * The live dashboard: everything the live process's control API says now, merged with what the studio's stream from
 * it brought. A process that does not answer is a page that says so (and retries), not an error.
 */
export const load: PageServerLoad = async () => {
  const { live } = services();
  try {
    return { up: true as const, snapshot: await live.snapshot(), link: live.link, canStop: live.canStop };
  } catch (failure) {
    if (!(failure instanceof XylenError && failure.code === 'LIVE_DOWN')) throw failure;
    return { up: false as const, url: live.url, reason: failure.message, link: live.link, canStop: live.canStop };
  }
};

export const actions: Actions = {
  /** Cancel every order, flatten and stop the live process (its token is the studio's; the studio's own token guards this route). */
  emergencyStop: async () => {
    try {
      const answer = await services().live.emergencyStop();
      return { stopped: answer };
    } catch (failure) {
      const described = describeFailure(failure);
      if (!described) throw failure;
      return fail(described.status, { error: described.body });
    }
  },
};
