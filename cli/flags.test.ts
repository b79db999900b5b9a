import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XylenError } from '../engine/index.ts';
import { parseInteger, parseMarket, parseRange, parseSymbol } from './flags.ts';

/** The error a parser throws, or undefined when it accepts. */
function refusal(parse: () => unknown): XylenError | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    if (error instanceof XylenError) return error;
    throw error;
  }
}

describe('flag parsers', () => {
  it('name the flag they were given, as input errors (exit 2)', () => {
    for (const [parse, code, where] of [
      [() => parseSymbol('btc-usdt'), 'BAD_SYMBOL', '--symbol'],
      [() => parseMarket('binance', 'market'), 'BAD_MARKET', 'market'],
      [() => parseInteger('1.5', '--limit', { min: 1 }), 'BAD_INTEGER', '--limit'],
      [() => parseRange({ from: 'yesterday' }), 'BAD_TIME', '--from'],
      [() => parseRange({ from: '2024-02-01', to: '2024-01-01' }, { from: '--from', to: '--until' }), 'BAD_RANGE', '--from/--until'],
    ] as const) {
      const error = refusal(parse);
      expect([error?.code, error?.where, error?.exitCode]).toEqual([code, where, 2]);
    }
    expect(parseMarket('synthetic')).toBe('synthetic');
    expect(parseSymbol('BTCUSDT')).toBe('BTCUSDT');
  });

  it('parseRange keeps a half-open range and refuses an empty one', () => {
    expect(parseRange({ from: '2024-01-01', to: '2024-01-02' })).toEqual({ from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 2) });
    expect(parseRange({ to: '1000' })).toEqual({ to: 1000 });
    expect(refusal(() => parseRange({ from: '1000', to: '1000' }))?.message).toContain('--to (1970-01-01 00:00:01Z) is not after --from');
  });

  it('parseInteger accepts exactly the integers within its bounds and says which bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 100 }), (value, min, width) => {
        const max = min + width;
        const accepted = refusal(() => parseInteger(String(value), '--n', { min, max })) === undefined;
        expect(accepted).toBe(value >= min && value <= max);
      }),
    );
    expect(refusal(() => parseInteger('21', '--retries', { min: 0, max: 20 }))?.message).toBe('must be a whole number from 0 to 20, not "21"');
    expect(refusal(() => parseInteger('0', '--limit', { min: 1 }))?.message).toBe('must be a positive integer, not "0"');
    expect(refusal(() => parseInteger('x', '--seed'))?.message).toBe('must be an integer, not "x"');
    expect(parseInteger(' -7 ', '--seed')).toBe(-7);
    expect(refusal(() => parseInteger('', '--seed'))).toBeDefined();
  });
});
