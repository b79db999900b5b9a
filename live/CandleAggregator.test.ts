import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeedCandle } from '../engine/index.ts';
import { CandleAggregator } from './CandleAggregator.ts';

const M = 60_000;

describe('CandleAggregator', () => {
  it('emits exactly the complete buckets, as the resampler does (property: random gaps)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), fc.constantFrom(3, 5, 15), (present, ratio) => {
        const candles: FeedCandle[] = [];
        present.forEach((here, i) => {
          if (here) candles.push({ openTime: i * M, open: 100 + i, high: 110 + i, low: 90 + i, close: 101 + i, volume: 1 + (i % 7) });
        });
        const aggregator = new CandleAggregator(M, ratio * M);
        const emitted = candles.map((c) => aggregator.add(c)).filter((c): c is FeedCandle => c !== undefined);
        // Reference: group by bucket, keep those with every base candle.
        const expected: FeedCandle[] = [];
        for (let b = 0; b * ratio < present.length; b++) {
          const members = candles.filter((c) => Math.floor(c.openTime / (ratio * M)) === b);
          if (members.length !== ratio) continue;
          expected.push({
            openTime: b * ratio * M,
            open: members[0]!.open,
            high: Math.max(...members.map((c) => c.high)),
            low: Math.min(...members.map((c) => c.low)),
            close: members.at(-1)!.close,
            volume: members.reduce((s, c) => s + c.volume, 0),
          });
        }
        expect(emitted).toEqual(expected);
      }),
    );
  });
});
