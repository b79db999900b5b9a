// Contract suite: every indicator's batch form over columns and its incremental form bar by bar give the
// same numbers bit for bit (exact equality, NaN included), plus the warm-up conventions each file documents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATR, atr, trueRange } from './ATR.ts';
import { BollingerBands, bollingerBands } from './BollingerBands.ts';
import type { CandleColumnsLike } from './CandleColumnsLike.ts';
import { EMA, ema } from './EMA.ts';
import { LogReturn, logReturns } from './LogReturn.ts';
import { MACD, macd } from './MACD.ts';
import { RSI, rsi } from './RSI.ts';
import { SMA, sma } from './SMA.ts';
import { candleAt, candleSeries, firstDifference, MINUTE } from './test/candles.ts';
import { ZScore, zScore } from './ZScore.ts';

interface Contract {
  name: string;
  batch: (c: CandleColumnsLike) => Float64Array[];
  incremental: () => { step: (c: CandleColumnsLike, i: number) => number[]; isStable: () => boolean };
  /** Per output, the index of its first defined value; the indicator is stable from the largest. */
  warmUp: number[];
}

function closeIndicator<T extends { update(x: number): number; isStable: boolean }>(make: () => T) {
  return () => {
    const indicator = make();
    return { step: (c: CandleColumnsLike, i: number) => [indicator.update(c.close[i]!)], isStable: () => indicator.isStable };
  };
}

const contracts: Contract[] = [
  ...[1, 9, 20].map((p) => ({ name: `SMA(${p})`, batch: (c: CandleColumnsLike) => [sma(c.close, p)], incremental: closeIndicator(() => new SMA(p)), warmUp: [p - 1] })),
  ...[1, 9, 50].map((p) => ({ name: `EMA(${p})`, batch: (c: CandleColumnsLike) => [ema(c.close, p)], incremental: closeIndicator(() => new EMA(p)), warmUp: [p - 1] })),
  ...[2, 14].map((p) => ({ name: `RSI(${p})`, batch: (c: CandleColumnsLike) => [rsi(c.close, p)], incremental: closeIndicator(() => new RSI(p)), warmUp: [p] })),
  ...[1, 3, 48].map((h) => ({ name: `logReturns(${h})`, batch: (c: CandleColumnsLike) => [logReturns(c.close, h)], incremental: closeIndicator(() => new LogReturn(h)), warmUp: [h] })),
  {
    name: 'zScore(volume, 48)',
    batch: (c) => [zScore(c.volume, 48)],
    incremental: () => {
      const z = new ZScore(48);
      return { step: (c, i) => [z.update(c.volume[i]!)], isStable: () => z.isStable };
    },
    warmUp: [47],
  },
  {
    name: 'MACD(12,26,9)',
    batch: (c) => {
      const m = macd(c.close);
      return [m.line, m.signal, m.histogram];
    },
    incremental: () => {
      const m = new MACD();
      return { step: (c, i) => (m.update(c.close[i]!), [m.line, m.signal, m.histogram]), isStable: () => m.isStable };
    },
    warmUp: [25, 33, 33],
  },
  {
    name: 'Bollinger(20,2)',
    batch: (c) => {
      const b = bollingerBands(c.close);
      return [b.middle, b.upper, b.lower, b.percentB, b.width];
    },
    incremental: () => {
      const b = new BollingerBands();
      return { step: (c, i) => (b.update(c.close[i]!), [b.middle, b.upper, b.lower, b.percentB, b.width]), isStable: () => b.isStable };
    },
    warmUp: [19, 19, 19, 19, 19],
  },
  {
    name: 'ATR(14)',
    batch: (c) => [atr(c)],
    incremental: () => {
      const a = new ATR();
      return { step: (c, i) => [a.update(candleAt(c, i))], isStable: () => a.isStable };
    },
    warmUp: [13],
  },
];

const series = candleSeries(5 * MINUTE, 0, { min: 0, max: 200 });

describe.each(contracts)('$name', ({ batch, incremental, warmUp }) => {
  const firstStable = Math.max(...warmUp);

  it('batch and incremental agree bit for bit on random series', () => {
    fc.assert(
      fc.property(series, (c) => {
        const columns = batch(c);
        const live = incremental();
        const streamed = columns.map(() => new Float64Array(c.length));
        const stable: boolean[] = [];
        for (let i = 0; i < c.length; i++) {
          live.step(c, i).forEach((value, k) => (streamed[k]![i] = value));
          stable.push(live.isStable());
        }
        columns.forEach((column, k) => {
          const at = firstDifference(streamed[k]!, column);
          expect(at, `output ${k}, bar ${at}: ${streamed[k]![at]} vs ${column[at]}`).toBe(-1);
        });
        expect(stable).toEqual(stable.map((_, i) => i >= firstStable));
      }),
      { numRuns: 60 },
    );
  });

  it('is NaN exactly during its warm-up and finite after it', () => {
    fc.assert(
      fc.property(series, (c) => {
        batch(c).forEach((column, k) => {
          const defined = Array.from(column, (x) => !Number.isNaN(x));
          expect(defined, `output ${k}`).toEqual(defined.map((_, i) => i >= warmUp[k]!));
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('warm-up and formula conventions, against naive re-computations', () => {
  const close = Float64Array.from({ length: 120 }, (_, i) => 100 + 10 * Math.sin(i * 0.7) + i * 0.1);
  const mean = (from: number, to: number): number => {
    let s = 0;
    for (let i = from; i <= to; i++) s += close[i]!;
    return s / (to - from + 1);
  };

  it('seeds the EMA with the SMA of its first period values, then x·α + prev·(1−α)', () => {
    const e = ema(close, 10);
    expect(e[9]).toBe(mean(0, 9));
    expect(e[10]).toBeCloseTo(close[10]! * (2 / 11) + mean(0, 9) * (9 / 11), 9);
  });

  it('computes RSI from Wilder-smoothed gains and losses', () => {
    let gain = 0;
    let loss = 0;
    for (let i = 1; i <= 14; i++) {
      const d = close[i]! - close[i - 1]!;
      gain += Math.max(d, 0) / 14;
      loss += Math.max(-d, 0) / 14;
    }
    expect(rsi(close, 14)[14]).toBeCloseTo(100 - 100 / (1 + gain / loss), 9);
    expect(rsi(new Float64Array(30).fill(5), 14)[20]).toBe(50);
  });

  it('takes log returns over the horizon and the z-score over a window that includes the bar', () => {
    expect(logReturns(close, 12)[50]).toBe(Math.log(close[50]! / close[38]!));
    const volume = Float64Array.from({ length: 60 }, (_, i) => (i * 37) % 11);
    const window = volume.subarray(12, 60);
    const m = window.reduce((a, b) => a + b, 0) / 48;
    const sd = Math.sqrt(window.reduce((a, b) => a + (b - m) ** 2, 0) / 48);
    expect(zScore(volume, 48)[59]).toBeCloseTo((volume[59]! - m) / sd, 12);
    expect(zScore(new Float64Array(60).fill(3.3), 48)[59]).toBe(0);
  });

  it('gives Bollinger %B 0.5 and width 0 on a flat window', () => {
    const b = bollingerBands(new Float64Array(25).fill(0.1 + 0.2));
    expect(b.percentB[24]).toBe(0.5);
    expect(b.width[24]).toBeLessThan(1e-12);
  });

  it('uses the gap to the previous close in the true range', () => {
    expect(trueRange(10, 9, Number.NaN)).toBe(1);
    expect(trueRange(10, 9, 12)).toBe(3);
    expect(trueRange(10, 9, 5)).toBe(5);
  });

  it('rejects periods that are not positive integers', () => {
    expect(() => new EMA(0)).toThrow(RangeError);
    expect(() => sma(close, 2.5)).toThrow(RangeError);
  });
});
