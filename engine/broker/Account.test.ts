import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Account, type Side } from './Account.ts';

const TAKER = 0.0005;

/** A random sequence of fills and funding settlements on a walk of prices. */
const operations = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('fill' as const),
      side: fc.constantFrom<Side>(1, -1),
      quantity: fc.double({ min: 0.001, max: 5, noNaN: true }),
      price: fc.double({ min: 1_000, max: 200_000, noNaN: true }),
    }),
    fc.record({
      kind: fc.constant('funding' as const),
      mark: fc.double({ min: 1_000, max: 200_000, noNaN: true }),
      rate: fc.double({ min: -0.003, max: 0.003, noNaN: true }),
    }),
  ),
  { maxLength: 60 },
);

function close(a: number, b: number, scale: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, scale);
}

describe('Account accounting identities', () => {
  it('wallet = initial + realized − fees + funding; equity = wallet + unrealized; flows reconcile', () => {
    fc.assert(
      fc.property(operations, fc.double({ min: 1_000, max: 200_000, noNaN: true }), (ops, finalMark) => {
        const account = new Account(10_000);
        let flows = 0;
        for (const op of ops) {
          const before = account.wallet;
          if (op.kind === 'fill') {
            const fee = op.quantity * op.price * TAKER;
            const effect = account.fill(op.side, op.quantity, op.price, fee, 5);
            expect(close(account.wallet - before, effect.realizedPnl - fee, op.quantity * op.price)).toBe(true);
            flows += effect.realizedPnl - fee;
          } else {
            flows += account.settleFunding(op.mark, op.rate);
          }
        }
        const scale = 1e6;
        expect(close(account.wallet, 10_000 + account.realizedPnl - account.fees + account.funding, scale)).toBe(true);
        expect(close(account.wallet - 10_000, flows, scale)).toBe(true);
        expect(account.equity(finalMark)).toBe(account.wallet + account.unrealizedPnl(finalMark));
      }),
    );
  });

  it('a long and a short of equal size at equal prices net to minus the fees', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 10, noNaN: true }),
        fc.double({ min: 1_000, max: 200_000, noNaN: true }),
        fc.constantFrom<Side>(1, -1),
        (quantity, price, first) => {
          const account = new Account(50_000);
          const fee = quantity * price * TAKER;
          account.fill(first, quantity, price, fee, 10);
          account.fill(-first as Side, quantity, price, fee, 10);
          expect(account.isFlat).toBe(true);
          expect(account.isolatedMargin).toBe(0);
          expect(close(account.wallet - 50_000, -2 * fee, 50_000)).toBe(true);
        },
      ),
    );
  });

  it('averages the entry, realizes on reduce, and flips through zero', () => {
    const account = new Account(10_000);
    account.fill(1, 1, 100, 0, 1);
    account.fill(1, 1, 110, 0, 1);
    expect(account.entryPrice).toBe(105);
    expect(account.isolatedMargin).toBe(210);
    const reduce = account.fill(-1, 0.5, 120, 0, 1);
    expect(reduce.realizedPnl).toBe(7.5); // 0.5 × (120 − 105)
    expect(account.isolatedMargin).toBe(157.5); // a quarter released
    const flip = account.fill(-1, 3, 90, 0, 1);
    expect(flip.closedQuantity).toBe(1.5);
    expect(flip.openedQuantity).toBe(1.5);
    expect(flip.realizedPnl).toBe(-22.5); // 1.5 × (90 − 105)
    expect(account.quantity).toBe(-1.5);
    expect(account.entryPrice).toBe(90);
    expect(account.isolatedMargin).toBe(135);
  });

  it('longs pay positive funding into the wallet and out of the isolated margin', () => {
    const account = new Account(10_000);
    account.fill(1, 2, 50_000, 0, 10);
    const paid = account.settleFunding(50_000, 0.0001);
    expect(paid).toBeCloseTo(-10, 10);
    expect(account.wallet).toBeCloseTo(9_990, 10);
    expect(account.isolatedMargin).toBeCloseTo(10_000 - 10, 10);
  });
});
