import { basename } from 'node:path';
import { services } from '$lib/server/services.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
  const { settings } = services();
  return { authorized: locals.authorized, store: basename(settings.dbPath), storePath: settings.dbPath };
};
