import type ccxtModule from 'ccxt';
import type { binance, binanceusdm } from 'ccxt';
import { inputError } from '../../engine/index.ts';

export type Ccxt = typeof ccxtModule;

/** ccxt, loaded on first use: importing it costs about a second, which commands that never fetch should not pay. */
export async function loadCcxt(): Promise<Ccxt> {
  return (await import('ccxt')).default;
}

export type FetchMarket = 'usdm' | 'spot';

export interface BinanceClientOptions {
  market: FetchMarket;
  /** Another REST host (a loopback simulator, a mirror): replaces the scheme and host of every Binance API URL. */
  baseUrl?: string;
  /** ccxt's pause per unit of request weight; Binance's default (50 ms) fits the public limits. */
  rateLimitMs?: number;
}

/**
 * A ccxt client for Binance USDⓈ-M futures (`binanceusdm`) or spot (`binance`), public calls only,
 * with ccxt's rate limiter on. With a base URL, every entry of `urls.api` (fapiPublic, public, …)
 * keeps its path and gets the new host, as ccxt builds request URLs from those entries.
 */
export function createBinanceClient(ccxt: Ccxt, options: BinanceClientOptions): binance | binanceusdm {
  const settings = { enableRateLimit: true, ...(options.rateLimitMs === undefined ? {} : { rateLimit: options.rateLimitMs }) };
  const client =
    options.market === 'usdm'
      ? new ccxt.binanceusdm(settings)
      : new ccxt.binance({ ...settings, options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] } } });
  if (options.baseUrl !== undefined) {
    const origin = parseBaseUrl(options.baseUrl);
    const api = client.urls['api'] as Record<string, unknown>;
    client.urls['api'] = Object.fromEntries(
      Object.entries(api).map(([name, url]) => [name, typeof url === 'string' ? url.replace(/^https?:\/\/[^/]+/, origin) : url]),
    );
  }
  return client;
}

/** The scheme, host and optional path prefix of a user-given base URL, without a trailing slash. */
export function parseBaseUrl(text: string, where = '--base-url'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw inputError('BAD_BASE_URL', `"${text}" is not a URL`, { where, hint: 'e.g. http://127.0.0.1:8080 or https://fapi.binance.com' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw inputError('BAD_BASE_URL', `"${text}" is not an http(s) URL`, { where, hint: 'e.g. http://127.0.0.1:8080' });
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
