import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protectiveLevels } from './protectiveLevels.ts';
import type { RiskLimits } from './RiskOptions.ts';
import { configSchema } from '../../config/schema.ts';

const limits = (overrides: Partial<RiskLimits> = {}) => ({ ...configSchema.parse({}).risk, ...overrides });

describe('protectiveLevels', () => {
  it('pct: 2 % / 4 % around 50 000, mirrored for a short', () => {
    const long = protectiveLevels({ action: 'long', price: 50_000 }, limits());
    expect(long.status === 'OK' && [long.stopLoss, long.takeProfit]).toEqual([49_000, 52_000]);
    const short = protectiveLevels({ action: 'short', price: 50_000 }, limits());
    expect(short.status === 'OK' && [short.stopLoss, short.takeProfit]).toEqual([51_000, 48_000]);
  });

  it('atr: 2 and 4 ATRs of 250 from the entry; without an ATR the levels are invalid', () => {
    const atr = limits({ stop_mode: 'atr' });
    const long = protectiveLevels({ action: 'long', price: 50_000, atr: 250 }, atr);
    expect(long.status === 'OK' && [long.stopLoss, long.takeProfit]).toEqual([49_500, 51_000]);
    const short = protectiveLevels({ action: 'short', price: 50_000, atr: 250 }, limits({ stop_mode: 'atr', atr_stop_mult: 1, atr_tp_mult: 3 }));
    expect(short.status === 'OK' && [short.stopLoss, short.takeProfit]).toEqual([50_250, 49_250]);
    const missing = protectiveLevels({ action: 'long', price: 50_000 }, atr);
    expect(missing.status).toBe('INVALID');
    expect(missing.status === 'INVALID' && missing.reason).toMatch(/ATR/);
  });

  it('ensemble: proposed levels are used, a missing one falls back to pct, a wrong-side one is refused', () => {
    const ens = limits({ stop_mode: 'ensemble' });
    const both = protectiveLevels({ action: 'long', price: 100, proposedStopLoss: 97, proposedTakeProfit: 110 }, ens);
    expect(both.status === 'OK' && [both.stopLoss, both.takeProfit]).toEqual([97, 110]);
    const onlyStop = protectiveLevels({ action: 'short', price: 100, proposedStopLoss: 103 }, ens);
    expect(onlyStop.status === 'OK' && [onlyStop.stopLoss, onlyStop.takeProfit]).toEqual([103, 96]);
    const wrong = protectiveLevels({ action: 'long', price: 100, proposedStopLoss: 101 }, ens);
    expect(wrong).toMatchObject({ status: 'INVALID', values: { price: 100, stopLoss: 101 } });
    expect(wrong.status === 'INVALID' && wrong.reason).toMatch(/stop-loss 101 must be below the long entry 100/);
    const wrongTarget = protectiveLevels({ action: 'short', price: 100, proposedTakeProfit: 100 }, ens);
    expect(wrongTarget.status === 'INVALID' && wrongTarget.reason).toMatch(/take-profit 100 must be below the short entry 100/);
  });

  it('a short take-profit of 100 % or more would be at or below zero: refused', () => {
    expect(protectiveLevels({ action: 'short', price: 100 }, limits({ take_profit_pct: 1 })).status).toBe('INVALID');
  });

  it('whatever the mode, accepted levels put the stop on the losing side and the target on the winning side', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('long' as const, 'short' as const),
        fc.constantFrom('pct' as const, 'atr' as const, 'ensemble' as const),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
        fc.option(fc.double({ min: 0, max: 2e6, noNaN: true }), { nil: undefined }),
        fc.option(fc.double({ min: 0, max: 2e6, noNaN: true }), { nil: undefined }),
        (action, stop_mode, price, atr, proposedStopLoss, proposedTakeProfit) => {
          const levels = protectiveLevels({ action, price, atr, proposedStopLoss, proposedTakeProfit }, limits({ stop_mode }));
          if (levels.status === 'INVALID') return;
          const side = action === 'long' ? 1 : -1;
          expect(side * (price - levels.stopLoss)).toBeGreaterThan(0);
          expect(side * (levels.takeProfit - price)).toBeGreaterThan(0);
          expect(Math.min(levels.stopLoss, levels.takeProfit)).toBeGreaterThan(0);
        },
      ),
    );
  });
});
