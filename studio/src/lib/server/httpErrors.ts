import { error, isHttpError, isRedirect } from '@sveltejs/kit';
import { XylenError } from '../../../../engine/index.ts';
import { StoreBusyError } from './StoreBusyError.ts';

/** Input errors that mean "no such thing" rather than "malformed". */
const NOT_FOUND = new Set(['RUN_NOT_FOUND', 'MODEL_NOT_REGISTERED', 'MODEL_VERSION_UNKNOWN', 'STORE_MISSING', 'JOB_NOT_FOUND', 'SWEEP_NOT_FOUND', 'WALKFORWARD_NOT_FOUND']);

/** The HTTP status and page body of a failure: Xylen's code, message and hint, never a stack trace. */
export function describeFailure(failure: unknown): { status: number; body: App.Error } | undefined {
  if (failure instanceof StoreBusyError) {
    return {
      status: 503,
      body: { code: failure.code, message: failure.message, hint: 'this page tries again by itself every few seconds', ...(failure.job ? { job: failure.job } : {}) },
    };
  }
  if (failure instanceof XylenError) {
    const status = NOT_FOUND.has(failure.code) ? 404 : failure.kind === 'input' ? 400 : 503;
    return {
      status,
      body: { code: failure.code, message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}), ...(failure.where ? { where: failure.where } : {}) },
    };
  }
  return undefined;
}

/** Run a load or an action; a Xylen failure becomes SvelteKit's error page with its code and hint. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (failure) {
    if (isHttpError(failure) || isRedirect(failure)) throw failure;
    const described = describeFailure(failure);
    if (described) error(described.status, described.body);
    throw failure;
  }
}
