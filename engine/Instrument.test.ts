import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BTCUSDT_PERP, Instrument } from './Instrument.ts';

const btc = new Instrument(BTCUSDT_PERP);

/** Count of decimal places a number prints with: a value on a 0.1 grid prints with at most one. */
const places = (x: number) => (String(x).split('.')[1] ?? '').length;

describe('Instrument', () => {
  it('rounds prices onto the tick grid and quantities onto the step grid, printing exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 500_000, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (price, qty) => {
        const p = btc.roundPrice(price);
        expect(Math.abs(p - price)).toBeLessThanOrEqual(0.05 + 1e-9);
        expect(places(p)).toBeLessThanOrEqual(1);
        const q = btc.roundQty(qty);
        expect(q).toBeLessThanOrEqual(qty + 1e-9);
        expect(qty - q).toBeLessThan(0.001 + 1e-12);
        expect(places(q)).toBeLessThanOrEqual(3);
      }),
    );
  });

  it('down ≤ nearest ≤ up, and values already on the grid stay put despite float noise', () => {
    expect(btc.roundPrice(0.1 * 3, 'down')).toBe(0.3);
    expect(btc.roundQty(0.1 + 0.2)).toBe(0.3);
    fc.assert(
      fc.property(fc.double({ min: 1, max: 200_000, noNaN: true }), (price) => {
        const down = btc.roundPrice(price, 'down');
        const up = btc.roundPrice(price, 'up');
        const nearest = btc.roundPrice(price);
        expect(down <= nearest && nearest <= up).toBe(true);
        expect(btc.roundPrice(nearest)).toBe(nearest);
      }),
    );
  });

  it('rejects orders that break a filter, as values', () => {
    expect(btc.checkOrder(60_000, 0.0004)).toMatchObject({ status: 'REJECTED', reason: 'QTY_BELOW_MIN' });
    expect(btc.checkOrder(60_000, 0.001)).toMatchObject({ status: 'REJECTED', reason: 'NOTIONAL_BELOW_MIN' }); // 60 USDT < 100
    expect(btc.checkOrder(60_000.04, 0.0025)).toEqual({ status: 'OK', price: 60_000, quantity: 0.002 });
    expect(btc.checkOrder(60_000, 2000)).toMatchObject({ status: 'REJECTED', reason: 'QTY_ABOVE_MAX' });
    expect(btc.checkOrder(0, 1)).toMatchObject({ status: 'REJECTED', reason: 'PRICE_NOT_POSITIVE' });
  });

  it('refuses a malformed spec', () => {
    expect(() => new Instrument({ ...BTCUSDT_PERP, tickSize: '0' })).toThrow(/tickSize/);
    expect(() => new Instrument({ ...BTCUSDT_PERP, stepSize: '1e-3' })).toThrow(/stepSize/);
  });
});
