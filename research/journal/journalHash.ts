import { createHash, type Hash } from 'node:crypto';
import type { JournalRecord } from '../../engine/index.ts';

/**
 * JSON with object keys sorted and undefined members left out, so that two equal records serialize to the same
 * bytes whatever order their keys were written in. Numbers go through JSON.stringify, the shortest text that
 * reads back to the same double (so full precision); NaN and ±Infinity print as null and −0 as 0, as JSON does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const members: string[] = [];
    for (const key of keys) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * SHA-256 over the journal, one canonical JSON line per record, in order. Records carry no run id and no wall-clock
 * time (see JournalRecord), so two identical replays hash the same; the store's run id and timestamps never enter.
 */
export class JournalHasher {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  update(record: JournalRecord): void {
    this.hash.update(canonicalJson(record));
    this.hash.update('\n');
    this.count++;
  }

  get records(): number {
    return this.count;
  }

  /** Hex digest; the hasher cannot be updated afterwards. */
  digest(): string {
    return this.hash.digest('hex');
  }
}

export function journalHash(records: Iterable<JournalRecord>): string {
  const hasher = new JournalHasher();
  for (const record of records) hasher.update(record);
  return hasher.digest();
}
