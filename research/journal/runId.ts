import { randomBytes } from 'node:crypto';
import { inputError } from '../../engine/index.ts';

/** `run-YYYYMMDD-HHMMSS-xxxx`: sortable by creation (UTC), with 16 random bits against same-second collisions. */
export const RUN_ID_PATTERN = /^run-\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A new run id from the wall clock (research code may read it; the engine never does). */
export function newRunId(now: Date = new Date(), suffix: string = randomBytes(2).toString('hex')): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}-${suffix}`;
}

/** Check a run id given by a user (CLI argument, HTTP path) before it goes near SQL or a file name. */
export function parseRunId(text: string, where = 'RUN'): string {
  if (!RUN_ID_PATTERN.test(text)) {
    throw inputError('BAD_RUN_ID', `"${text}" is not a run id (they look like run-20240514-093000-a1b2)`, {
      where,
      hint: 'list run ids with `xylen runs ls`',
    });
  }
  return text;
}
