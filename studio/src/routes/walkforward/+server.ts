import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Walk-forward analyses are listed with the sweeps. */
export const GET: RequestHandler = () => redirect(307, '/sweeps#walkforward');
