/**
 * What to do with an exchange error (STYLE convention 10): retry after re-syncing the clock, back off for a rate
 * limit (honouring Retry-After), retry a server or network fault with bounded backoff, or reject (journal, never
 * retry). Classified from Binance's own code, read from the error body ccxt puts in its message.
 */
export type ExchangeErrorClass =
  | { action: 'resync'; code: number; message: string }
  | { action: 'backoff'; code: number; message: string; retryAfterMs: number | undefined }
  | { action: 'retry'; code: number | undefined; message: string }
  | { action: 'reject'; code: number | undefined; reason: string; message: string };

const REJECT_REASONS: Record<number, string> = {
  [-1111]: 'BAD_PRECISION',
  [-1102]: 'MISSING_PARAMETER',
  [-1116]: 'INVALID_ORDER_TYPE',
  [-1121]: 'BAD_SYMBOL',
  [-2010]: 'NEW_ORDER_REJECTED',
  [-2011]: 'UNKNOWN_ORDER',
  [-2013]: 'NO_SUCH_ORDER',
  [-2014]: 'BAD_API_KEY',
  [-2015]: 'BAD_API_KEY',
  [-2019]: 'INSUFFICIENT_MARGIN',
  [-2021]: 'WOULD_IMMEDIATELY_TRIGGER',
  [-2022]: 'REDUCE_ONLY_REJECTED',
  [-2027]: 'LEVERAGE_ABOVE_BRACKET',
  [-4003]: 'QTY_BELOW_MIN',
  [-4005]: 'QTY_ABOVE_MAX',
  [-4014]: 'PRICE_NOT_ON_TICK',
  [-4028]: 'INVALID_LEVERAGE',
  [-4061]: 'POSITION_SIDE_MISMATCH',
  [-4116]: 'DUPLICATE_CLIENT_ORDER_ID',
  [-4131]: 'PERCENT_PRICE',
  [-4164]: 'NOTIONAL_BELOW_MIN',
};

/** Binance's code in a ccxt error message (`binanceusdm {"code":-2019,"msg":"Margin is insufficient."}`). */
export function binanceCode(error: unknown): number | undefined {
  const match = /"code"\s*:\s*"?(-?\d+)/.exec(error instanceof Error ? error.message : String(error));
  return match ? Number(match[1]) : undefined;
}

export function classifyExchangeError(error: unknown, retryAfterHeader?: string): ExchangeErrorClass {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  const name = error instanceof Error ? error.constructor.name : '';
  const code = binanceCode(error);
  if (code === -1021) return { action: 'resync', code, message };
  const retryAfterS = retryAfterHeader === undefined ? Number.NaN : Number(retryAfterHeader);
  if (code === -1003 || code === -1015 || /RateLimitExceeded|DDoSProtection/.test(name) || /\b(429|418)\b/.test(message)) {
    return { action: 'backoff', code: code ?? 429, message, retryAfterMs: Number.isFinite(retryAfterS) ? retryAfterS * 1000 : undefined };
  }
  if (code === -1000 || code === -1001 || code === -1006 || code === -1007 || /NetworkError|RequestTimeout|ExchangeNotAvailable|OnMaintenance/.test(name) || /\b5\d\d\b/.test(message)) {
    return { action: 'retry', code, message };
  }
  return { action: 'reject', code, reason: code !== undefined ? (REJECT_REASONS[code] ?? `BINANCE_${-code}`) : 'EXCHANGE_ERROR', message };
}
