import { inputError } from '../XylenError.ts';

/**
 * Refuse, before a run starts, an ensemble that can never meet its quorum (it would hold on every decision).
 * `where` names the setting (`ensemble.quorum` by default, or the file and configuration it comes from); `hint` says
 * how to fix it.
 */
export function checkQuorum(quorum: number, enabled: number, where = 'ensemble.quorum', hint = `lower ensemble.quorum to at most ${enabled}, or enable more models`): void {
  if (quorum <= enabled) return;
  throw inputError('QUORUM_UNREACHABLE', `ensemble.quorum is ${quorum} but only ${enabled} model(s) are enabled`, { where, hint });
}
