import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binanceCode, classifyExchangeError } from './exchangeErrors.ts';

/** What ccxt throws: its class name and `binanceusdm {"code":…,"msg":…}`. */
function ccxtError(name: string, code: number, msg = 'x'): Error {
  const error = new Error(`binanceusdm ${JSON.stringify({ code, msg })}`);
  Object.defineProperty(error, 'constructor', { value: { name } });
  return error;
}

describe('exchange error policy', () => {
  it('maps Binance codes to what the caller should do', () => {
    expect(classifyExchangeError(ccxtError('InvalidNonce', -1021)).action).toBe('resync');
    const limited = classifyExchangeError(ccxtError('DDoSProtection', -1003), '7');
    expect(limited).toMatchObject({ action: 'backoff', retryAfterMs: 7000 });
    expect(classifyExchangeError(ccxtError('ExchangeNotAvailable', -1001)).action).toBe('retry');
    expect(classifyExchangeError(new Error('fetch failed'), undefined).action).toBe('reject');
    const timeout = new Error('binanceusdm POST http://127.0.0.1:1/fapi/v1/order request timed out (10000 ms)');
    Object.defineProperty(timeout, 'constructor', { value: { name: 'RequestTimeout' } });
    expect(classifyExchangeError(timeout).action).toBe('retry');
    expect(classifyExchangeError(ccxtError('InsufficientFunds', -2019))).toMatchObject({ action: 'reject', reason: 'INSUFFICIENT_MARGIN' });
    expect(classifyExchangeError(ccxtError('InvalidOrder', -4164))).toMatchObject({ action: 'reject', reason: 'NOTIONAL_BELOW_MIN' });
    expect(classifyExchangeError(ccxtError('BadRequest', -1111))).toMatchObject({ action: 'reject', reason: 'BAD_PRECISION' });
    expect(classifyExchangeError(ccxtError('ExchangeError', -4999))).toMatchObject({ action: 'reject', reason: 'BINANCE_4999' });
  });

  it('never retries a rejection and always reads the code back (property)', () => {
    const temporary = new Set([-1021, -1003, -1015, -1000, -1001, -1006, -1007]);
    fc.assert(
      fc.property(fc.integer({ min: -5999, max: -1000 }), fc.string({ maxLength: 40 }), (code, msg) => {
        const error = ccxtError('ExchangeError', code, msg.replace(/\d{3}/g, ''));
        expect(binanceCode(error)).toBe(code);
        const kind = classifyExchangeError(error);
        expect(kind.action === 'reject').toBe(!temporary.has(code));
      }),
    );
  });
});
