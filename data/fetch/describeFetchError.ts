import { ErrorKind, inputError, operationalError, XylenError } from '../../engine/index.ts';
import type { Ccxt } from './createBinanceClient.ts';

const RESUME_HINT = 'run the same command again later: it resumes after the last stored candle';

/**
 * Translate what a ccxt call threw into a XylenError a user can act on, naming `what` was being
 * fetched and from where: an unknown symbol is bad input, network trouble and rate limits are
 * temporary, anything else the exchange said is operational. Errors that are not ccxt's pass through.
 */
export function describeCcxtError(ccxt: Ccxt, error: unknown, what: string, host: string): unknown {
  if (error instanceof XylenError || !(error instanceof ccxt.BaseError)) return error;
  const detail = shorten(error.message);
  if (error instanceof ccxt.BadSymbol) {
    return inputError('FETCH_UNKNOWN_SYMBOL', `${host} does not know the symbol of ${what}: ${detail}`, {
      where: '--symbol',
      hint: 'use the exchange symbol id, e.g. BTCUSDT (and --market spot for spot pairs)',
      cause: error,
    });
  }
  if (error instanceof ccxt.NetworkError) {
    const unknownHost = hostNotFound(error);
    if (unknownHost !== undefined) return hostNotFoundError(unknownHost, `fetching ${what} from ${host}`, error);
    const limited = error instanceof ccxt.DDoSProtection || error instanceof ccxt.RateLimitExceeded;
    return new XylenError(
      ErrorKind.temporary,
      limited ? 'FETCH_RATE_LIMITED' : 'FETCH_UNREACHABLE',
      `${limited ? 'rate-limited' : 'no answer'} while fetching ${what} from ${host}: ${detail}`,
      { hint: RESUME_HINT, cause: error },
    );
  }
  return operationalError('FETCH_EXCHANGE_ERROR', `${host} refused ${what}: ${detail}`, { cause: error });
}

/** An error of Node's fetch (DNS, refused connection, reset) as a temporary error naming the URL. */
export function describeNetworkError(error: unknown, url: string): XylenError {
  const unknownHost = hostNotFound(error);
  if (unknownHost !== undefined) return hostNotFoundError(unknownHost, `downloading ${url}`, error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new XylenError(ErrorKind.temporary, 'FETCH_UNREACHABLE', `cannot download ${url}: ${cause ?? message}`, {
    hint: 'check the network (and --base-url); files already downloaded stay in the cache',
    cause: error,
  });
}

/**
 * The host name when `error` (or an error it wraps, or its message: ccxt keeps only the text) is a DNS lookup that
 * found no such name. Backing off does not help there: an offline machine, or a mistyped --base-url, stays so
 * for the half-minute the retries would wait.
 */
export function hostNotFound(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const hostname = (e as { hostname?: unknown }).hostname;
    if (code === 'ENOTFOUND' && typeof hostname === 'string') return hostname;
    const named = /getaddrinfo ENOTFOUND (\S+)/.exec(e.message);
    if (named) return named[1]!;
  }
  return undefined;
}

function hostNotFoundError(host: string, doing: string, cause: unknown): XylenError {
  return new XylenError(ErrorKind.temporary, 'FETCH_HOST_NOT_FOUND', `the name ${host} does not resolve (DNS), ${doing}; not retried`, {
    hint: 'check the network connection (this machine may be offline), or the host of --base-url',
    cause,
  });
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
