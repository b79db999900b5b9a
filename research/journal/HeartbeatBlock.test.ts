import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action, DecisionOutcome, HeartbeatRecord } from '../../engine/index.ts';
import { ACTION_CODES, HeartbeatBlock, OUTCOME_CODES, VoteModels } from './HeartbeatBlock.ts';

const WIDTH = 3;

function record(row: number, votes: HeartbeatRecord['votes'], action: Action, outcome: DecisionOutcome): HeartbeatRecord {
  return {
    type: 'heartbeat',
    ts: row * 300_000,
    row,
    close: 100 + row,
    features: Float64Array.of(row, row + 0.5, -row),
    equity: 1000,
    wallet: 1000,
    quantity: 0,
    markPrice: 100 + row,
    votes,
    action,
    confidence: 0.5,
    scores: { long: 0.5, short: 0.25, hold: 0.25 },
    outcome,
  };
}

describe('HeartbeatBlock', () => {
  it('stores every action and outcome as the code that decodes back to it', () => {
    const block = new HeartbeatBlock(new VoteModels());
    const cases = OUTCOME_CODES.flatMap((outcome) => ACTION_CODES.map((action) => [action, outcome] as const));
    cases.forEach(([action, outcome], row) => block.add(row, record(row, [], action, outcome)));
    cases.forEach(([action, outcome], row) => {
      expect(ACTION_CODES[block.action[row]!]).toBe(action);
      expect(OUTCOME_CODES[block.outcome[row]!]).toBe(outcome);
    });
  });

  it('keeps each vote with its own model when the models that vote, and their order, change from row to row', () => {
    // The model index is remembered per vote slot; a slot whose model changed must not keep the old index.
    const pool = ['a', 'b', 'c', 'd', 'e'];
    const rows = fc.array(
      fc.subarray(pool).chain((names) => fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length })),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(rows, (voters) => {
        const models = new VoteModels();
        const block = new HeartbeatBlock(models);
        voters.forEach((names, row) => {
          const votes = names.map((model, k) => ({ model, action: ACTION_CODES[k % 3]!, confidence: k / 10, weight: 1 + k }));
          block.add(row, record(row, votes, 'hold', 'HOLD'));
        });
        voters.forEach((names, row) => {
          const from = block.voteStart[row]!;
          expect(block.voteStart[row + 1]! - from).toBe(names.length);
          names.forEach((model, k) => {
            expect(models.names[block.voteModel[from + k]!]).toBe(model);
            expect(block.voteWeight[from + k]).toBe(1 + k);
          });
        });
        expect(block.featureStart[voters.length]).toBe(voters.length * WIDTH);
      }),
    );
  });

  it('hashes missing and detail as UTF-8 with their byte length, NULL as -1, whether or not a row of the block has text', () => {
    // chunks(): seq, ts, row, five account doubles, action, confidence, three scores, outcome, then missing and detail.
    const MISSING = 14;
    const DETAIL = 15;
    const block = new HeartbeatBlock(new VoteModels());
    const nulls = (n: number) => '\u0000-1;'.repeat(n);
    const textOf = (chunk: Uint8Array) => Buffer.from(chunk).toString('utf8');
    for (let row = 0; row < 3; row++) block.add(row, record(row, [], 'hold', 'HOLD'));
    expect(textOf([...block.chunks()][MISSING]!)).toBe(nulls(3));
    expect(textOf([...block.chunks()][DETAIL]!)).toBe(nulls(3));
    expect(block.hasText(0, 3)).toBe(false);

    block.add(3, { ...record(3, [], 'hold', 'RISK_DENIED'), missing: ['b', 'c'], detail: 'pause ✓' });
    block.add(4, record(4, [], 'hold', 'HOLD'));
    expect(textOf([...block.chunks()][MISSING]!)).toBe(`${nulls(3)}3;b,c${nulls(1)}`);
    expect(textOf([...block.chunks()][DETAIL]!)).toBe(`${nulls(3)}9;pause ✓${nulls(1)}`);
    expect([block.hasText(0, 3), block.hasText(3, 4), block.hasText(4, 5)]).toEqual([false, true, false]);

    // A cleared block forgets its text rows: the next rows are all NULL again.
    block.clear();
    for (let row = 0; row < 5; row++) block.add(row, record(row, [], 'hold', 'HOLD'));
    expect(textOf([...block.chunks()][DETAIL]!)).toBe(nulls(5));
    expect(block.missing.slice(0, 5)).toEqual([null, null, null, null, null]);
  });
});
