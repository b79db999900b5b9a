import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kellyFraction, positionSize, type SizingInput } from './positionSize.ts';
import type { SizingOptions } from './RiskOptions.ts';

const sizing = (overrides: Partial<SizingOptions>): SizingOptions => ({ method: 'fixed_fraction', fraction: 0.02, amount: 100, kelly_cap: 0.25, ...overrides });
// 10 000 USDT equity, entry 50 000, stop 1 000 away (2 %), 3× leverage.
const input = (overrides: Partial<SizingInput> = {}): SizingInput => ({ equity: 10_000, price: 50_000, stopDistance: 1_000, leverage: 3, confidence: 1, payoff: 2, ...overrides });

describe('positionSize', () => {
  it('fixed_fraction: 2 % of 10 000 USDT at risk over a 1 000 USDT stop is 0.2 BTC', () => {
    expect(positionSize(sizing({}), input())).toEqual({ status: 'SIZED', quantity: 0.2 });
  });

  it('fixed_amount: 100 USDT of margin at 3× on 50 000 is 0.006 BTC', () => {
    const sized = positionSize(sizing({ method: 'fixed_amount' }), input());
    expect(sized.status === 'SIZED' && sized.quantity).toBeCloseTo(0.006, 15);
  });

  it('kelly: p 0.55, b 1.5 gives f* 0.25; at confidence 0.4 it risks 10 % = 1 BTC over a 1 000 stop', () => {
    expect(kellyFraction(0.55, 1.5)).toBeCloseTo(0.25, 15);
    const sized = positionSize(sizing({ method: 'kelly' }), input({ winRate: 0.55, payoff: 1.5, confidence: 0.4 }));
    expect(sized.status === 'SIZED' && sized.quantity).toBeCloseTo(1, 12);
  });

  it('kelly: f* 0.7 − 0.3/2 = 0.55 at confidence 0.9 is capped at kelly_cap 0.25: 2.5 BTC', () => {
    const sized = positionSize(sizing({ method: 'kelly' }), input({ winRate: 0.7, payoff: 2, confidence: 0.9 }));
    expect(sized.status === 'SIZED' && sized.quantity).toBeCloseTo(2.5, 12);
  });

  it('kelly: no win rate, or a non-positive payoff, means no known edge', () => {
    expect(positionSize(sizing({ method: 'kelly' }), input()).status).toBe('NO_EDGE');
    expect(positionSize(sizing({ method: 'kelly' }), input({ winRate: 1, payoff: 0 })).status).toBe('NO_EDGE');
  });

  it('kelly never sizes a bet whose edge p − (1 − p)/b is not positive', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, b, confidence) => {
          const sized = positionSize(sizing({ method: 'kelly' }), input({ winRate: p, payoff: b, confidence }));
          // The edge from the definition, written out independently: win b with probability p, lose 1 otherwise.
          const edge = p * b - (1 - p);
          // Both forms of the edge round differently, so only clear signs are asserted near zero.
          if (edge < -1e-12 || confidence === 0) expect(sized.status).toBe('NO_EDGE');
          if (sized.status === 'SIZED') {
            expect(edge).toBeGreaterThan(-1e-12);
            expect(sized.quantity).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});
