import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fundingPayment } from './fundingPayment.ts';
import { liquidationPrice } from './liquidationPrice.ts';
import { BTCUSDT_BRACKETS, MarginBrackets } from './MarginBrackets.ts';

const brackets = new MarginBrackets(BTCUSDT_BRACKETS);

describe('MarginBrackets', () => {
  it('derives the maintenance amounts Binance publishes for BTCUSDT', () => {
    // Binance leverageBracket "cum" column for BTCUSDT.
    expect(brackets.tiers.map((t) => t.cum)).toEqual([0, 50, 1_300, 46_300, 421_300, 1_921_300, 3_921_300, 6_421_300, 26_421_300, 101_421_300]);
  });

  it('keeps maintenance margin continuous across tier floors', () => {
    for (const tier of brackets.tiers.slice(1)) {
      const below = brackets.maintenanceMargin(tier.floor - 1e-6);
      const at = brackets.maintenanceMargin(tier.floor);
      expect(Math.abs(at - below)).toBeLessThan(1e-3);
    }
    expect(brackets.maxLeverage(10_000)).toBe(125);
    expect(brackets.maxLeverage(1_000_000)).toBe(50);
  });
});

describe('liquidationPrice', () => {
  it('matches hand-worked examples of the formula', () => {
    // Long 1 BTC at 10,000 with 1,000 USDT isolated margin (10×), tier 1 (MMR 0.4 %, cum 0):
    // LP = (1000 + 0 − 10000) / (0.004 − 1) = 9036.1446
    expect(liquidationPrice(1, 1, 10_000, 1_000, brackets)).toBeCloseTo(9_036.1446, 3);
    // Short 1 BTC at 10,000, same margin: LP = (1000 + 10000) / (0.004 + 1) = 10956.1753
    expect(liquidationPrice(-1, 1, 10_000, 1_000, brackets)).toBeCloseTo(10_956.1753, 3);
    // Long 2 BTC at 60,000 (notional 120k, tier 2: MMR 0.5 %, cum 50) with 12,000 margin:
    // LP = (12000 + 50 − 120000) / (2·0.005 − 2) = 54246.231...
    expect(liquidationPrice(1, 2, 60_000, 12_000, brackets)).toBeCloseTo(54_246.2312, 3);
    // Fully collateralised long: never liquidated.
    expect(liquidationPrice(1, 1, 10_000, 10_000, brackets)).toBe(0);
  });

  it('at the liquidation price, margin + PnL equals the maintenance margin (any allowed leverage)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<1 | -1>(1, -1),
        fc.double({ min: 0.001, max: 50, noNaN: true }),
        fc.double({ min: 1_000, max: 200_000, noNaN: true }),
        fc.integer({ min: 2, max: 100 }),
        (side, qty, entry, wanted) => {
          // Binance refuses leverage above the bracket's maximum, so such positions never exist.
          const leverage = Math.min(wanted, brackets.maxLeverage(qty * entry));
          const margin = (qty * entry) / leverage;
          const lp = liquidationPrice(side, qty, entry, margin, brackets);
          const equity = margin + side * qty * (lp - entry);
          const maintenance = brackets.maintenanceMargin(qty * lp);
          expect(Math.abs(equity - maintenance)).toBeLessThan(1e-6 * qty * entry);
          if (side === 1) expect(lp).toBeLessThan(entry);
          else expect(lp).toBeGreaterThan(entry);
        },
      ),
    );
  });
});

describe('fundingPayment', () => {
  it('longs pay and shorts receive when the rate is positive, and the reverse when negative', () => {
    expect(fundingPayment(0.5, 60_000, 0.0001)).toBeCloseTo(-3, 10);
    expect(fundingPayment(-0.5, 60_000, 0.0001)).toBeCloseTo(3, 10);
    expect(fundingPayment(0.5, 60_000, -0.0002)).toBeCloseTo(6, 10);
    expect(fundingPayment(0, 60_000, 0.01)).toBe(-0);
  });
});
