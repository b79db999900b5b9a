import { isDeepStrictEqual } from 'node:util';
import { formatTime, retainRecord, type Journal, type JournalRecord } from '../../engine/index.ts';
import type { XylenConfig } from '../../config/index.ts';
import { JournalHasher } from '../journal/journalHash.ts';
import type { ReplayInputs } from './loadReplayData.ts';
import { perturbInputs, type PerturbedCounts } from './perturbInputs.ts';
import { replayInputs } from './replayInputs.ts';

/** A replay of loaded inputs into a journal: the engine's own wiring by default, another one to check it. */
export type ReplayRunner = (inputs: ReplayInputs, config: XylenConfig, journal: Journal) => Promise<unknown>;

export interface LookaheadOptions {
  /** Seed of the perturbation (default 1). */
  seed?: number;
  replay?: ReplayRunner;
}

export interface LookaheadResult {
  t: number;
  status: 'PASS' | 'FAIL';
  /** Journal records at or before `t` in the unperturbed run: each must come out the same. */
  compared: number;
  perturbed: PerturbedCounts;
  /**
   * Whether the records after `t` changed. False means the perturbation never reached the engine (nothing
   * after `t`, or an engine that ignores its inputs), so a PASS says little.
   */
  futureChanged: boolean;
  /** When the reference run halted trading (drawdown shutdown) at or before `t`: later decisions only say HALTED, so they test less. */
  haltedAt?: number;
  /** For FAIL: the first record at or before `t` that differs (undefined on the side that has no such record). */
  difference?: { index: number; expected: JournalRecord | undefined; actual: JournalRecord | undefined };
}

/**
 * The look-ahead check of the issue (freqtrade's lookahead-analysis, built in): replay the inputs, replay them
 * again with everything after `t` perturbed (perturbInputs), and compare every journal record stamped at or
 * before `t` — heartbeats (features, votes, decision, equity), orders placed, risk events, fills. Any difference means
 * something at or before `t` read the future. Records after `t` legitimately differ: an order placed at `t`
 * fills on the next bar's open, which is after `t`.
 */
export async function checkLookahead(inputs: ReplayInputs, config: XylenConfig, t: number, options: LookaheadOptions = {}): Promise<LookaheadResult> {
  const replay = options.replay ?? replayInputs;
  const reference = new KeepUntil(t);
  await replay(inputs, config, reference);
  const { inputs: future, counts } = perturbInputs(inputs, t, options.seed ?? 1);
  const compare = new CompareUntil(t, reference.kept);
  await replay(future, config, compare);
  const difference = compare.difference ?? compare.missing();
  const halt = reference.kept.find((r) => r.type === 'risk' && r.event.effect === 'HALTED');
  return {
    t,
    status: difference === undefined ? 'PASS' : 'FAIL',
    compared: reference.kept.length,
    perturbed: counts,
    futureChanged: reference.after.digest() !== compare.after.digest(),
    ...(halt === undefined ? {} : { haltedAt: halt.ts }),
    ...(difference === undefined ? {} : { difference }),
  };
}

/** Keeps the records up to `t`; only hashes the later ones (a long replay's journal need not fit in memory). */
class KeepUntil implements Journal {
  readonly kept: JournalRecord[] = [];
  readonly after = new JournalHasher();

  constructor(private readonly t: number) {}

  record(entry: JournalRecord): void {
    if (entry.ts <= this.t) this.kept.push(retainRecord(entry));
    else this.after.update(entry);
  }
}

/** Compares the records up to `t` with the reference's as they come, and remembers the first that differs. */
class CompareUntil implements Journal {
  readonly after = new JournalHasher();
  difference: LookaheadResult['difference'];
  private index = 0;

  constructor(
    private readonly t: number,
    private readonly reference: readonly JournalRecord[],
  ) {}

  record(entry: JournalRecord): void {
    if (entry.ts > this.t) return this.after.update(entry);
    const expected = this.reference[this.index];
    if (this.difference === undefined) {
      // Compared as kept: the live record holds the engine's reused objects (the ensemble's votes are its own class).
      const actual = retainRecord(entry);
      if (!isDeepStrictEqual(expected, actual)) this.difference = { index: this.index, expected, actual };
    }
    this.index++;
  }

  /** The reference's first record this run never wrote, if it wrote fewer. */
  missing(): LookaheadResult['difference'] {
    return this.index < this.reference.length ? { index: this.index, expected: this.reference[this.index], actual: undefined } : undefined;
  }
}

/**
 * The first difference in words: which record (type, time, position among the records at or before t) and up to
 * `limit` of its fields that differ, as `path: before → after`.
 */
export function describeDifference(difference: NonNullable<LookaheadResult['difference']>, limit = 3): string {
  const { index, expected, actual } = difference;
  const record = expected ?? actual!;
  const what = `${record.type} at ${formatTime(record.ts)} (record ${index + 1} at or before t)`;
  if (expected === undefined) return `${what}: only in the perturbed run`;
  if (actual === undefined) return `${what}: missing from the perturbed run`;
  if (actual.type !== expected.type || actual.ts !== expected.ts) return `${what}: the perturbed run wrote a ${actual.type} at ${formatTime(actual.ts)} instead`;
  const changes: string[] = [];
  collectChanges(expected, actual, '', changes);
  const shown = changes.slice(0, limit).join('; ');
  return `${what}: ${shown}${changes.length > limit ? `; and ${changes.length - limit} more` : ''}`;
}

function collectChanges(a: unknown, b: unknown, path: string, out: string[]): void {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      collectChanges((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key, out);
    }
  } else if (!Object.is(a, b)) {
    out.push(`${path}: ${show(a)} → ${show(b)}`);
  }
}

const show = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));
