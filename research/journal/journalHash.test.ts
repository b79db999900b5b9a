import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../engine/index.ts';
import { sampleJournal } from '../test/sampleJournal.ts';
import { canonicalJson } from './canonicalJson.ts';
import { journalHash } from './journalHash.ts';

/** The same value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  return value;
}

describe('journalHash', () => {
  const records = sampleJournal();
  const hash = journalHash(records);

  it('is a sha256 hex digest that ignores key order and explicitly undefined optional fields', () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(journalHash(records.map(reverseKeys) as JournalRecord[])).toBe(hash);
    const withUndefined = records.map((r) => (r.type === 'decision' && r.detail === undefined ? { ...r, detail: undefined } : r));
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
