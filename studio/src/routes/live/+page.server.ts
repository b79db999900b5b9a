import { liveStatus } from '$lib/server/liveStatus.ts';
import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

/** The live dashboard's first question: is a live process there? (Its control API and stream come with live/.) */
export const load: PageServerLoad = async () => ({ live: await liveStatus(services().settings.liveUrl) });
