import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../engine/index.ts';
import { sampleJournal } from '../test/sampleJournal.ts';
import { canonicalJson } from './canonicalJson.ts';
import { journalHash } from './journalHash.ts';

/** The same value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (ArrayBuffer.isView(value)) return value;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  return value;
}

describe('journalHash', () => {
  const records = sampleJournal();
  const hash = journalHash(records);

  it('is a sha256 hex digest that ignores key order and explicitly undefined optional fields', () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(journalHash(records.map(reverseKeys) as JournalRecord[])).toBe(hash);
    const withUndefined = records.map((r) => (r.type === 'heartbeat' && r.detail === undefined ? { ...r, detail: undefined, missing: undefined } : r));
    expect(journalHash(withUndefined)).toBe(hash);
  });

  it('changes when any number moves by one ulp, a record is dropped, or two are swapped', () => {
    fc.assert(
      fc.property(fc.nat({ max: records.length - 1 }), (i) => {
        const changed = structuredClone(records);
        const record = changed[i] as { ts: number };
        record.ts += 1;
        expect(journalHash(changed)).not.toBe(hash);
        expect(journalHash(records.filter((_, k) => k !== i))).not.toBe(hash);
      }),
    );
    const nudged = structuredClone(records);
    const equity = nudged.find((r) => r.type === 'equity')!;
    if (equity.type === 'equity') equity.equity = 10_000.000000000002; // the next double after 10,000
    expect(journalHash(nudged)).not.toBe(hash);
    const swapped = [...records];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    expect(journalHash(swapped)).not.toBe(hash);
  });

  it('changes when a feature of a heartbeat moves one ulp, a vote changes hands, or a model is renamed', () => {
    const beat = (changed: JournalRecord[]) => changed.find((r) => r.type === 'heartbeat')!;
    const feature = structuredClone(records);
    const f = beat(feature);
    if (f.type === 'heartbeat') f.features[2] = 61.25000000000001;
    expect(journalHash(feature)).not.toBe(hash);
    const vote = structuredClone(records);
    const v = beat(vote);
    if (v.type === 'heartbeat') v.votes = [v.votes[1]!, v.votes[0]!, ...v.votes.slice(2)];
    expect(journalHash(vote)).not.toBe(hash);
    const renamed = records.map((r) => (r.type === 'heartbeat' ? { ...r, votes: r.votes.map((x) => ({ ...x, model: `${x.model}2` })) } : r));
    expect(journalHash(renamed)).not.toBe(hash);
  });
});

describe('canonicalJson', () => {
  const json = fc.jsonValue({ maxDepth: 3 });

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(reverseKeys(value))).toBe(canonicalJson(value));
      }),
    );
  });

  it('reads back to the same value, doubles exactly', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect((JSON.parse(canonicalJson({ x })) as { x: number }).x).toBe(x === 0 ? 0 : x);
      }),
    );
  });
});
