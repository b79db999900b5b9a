import { isInterval, type Interval } from '../../engine/index.ts';
import { sendJson, startLoopbackServer, type LoggedRequest, type LoopbackServer } from './LoopbackServer.ts';
import type { FundingRow, KlineRow } from './realKlines.ts';

export interface FapiServerOptions {
  /** Candles served per interval; intervals not given answer with an empty list. */
  klines: Partial<Record<Interval, readonly KlineRow[]>>;
  funding?: readonly FundingRow[];
  /** Answer the first N `/fapi/v1/klines` calls with 429 and `Retry-After`, as Binance does when a client polls too fast. */
  rateLimitFirstKlines?: number;
  retryAfterSeconds?: number;
}

const SYMBOL = 'BTCUSDT';
const KLINES_LIMIT = { default: 500, max: 1500 };
const FUNDING_LIMIT = { default: 100, max: 1000 };

/**
 * A minimal Binance USDⓈ-M REST server for the market-data calls (no signed endpoints): exchange
 * info with a BTCUSDT perpetual, server time, klines and funding history, answering with Binance's
 * shapes, string decimals, error bodies and weight header. Serves one symbol, BTCUSDT.
 * See ../../../shared/reference/binance-usdm-futures.md.
 */
export async function startFapiServer(options: FapiServerOptions): Promise<LoopbackServer> {
  let klinesCalls = 0;
  let usedWeight = 0;
  return startLoopbackServer((request, response) => {
    const weightHeader = (weight: number) => {
      usedWeight += weight;
      return { 'X-MBX-USED-WEIGHT-1M': String(usedWeight) };
    };
    const error = (status: number, code: number, msg: string) => sendJson(response, status, { code, msg }, weightHeader(1));
    if (request.method !== 'GET') return error(405, -1000, 'Only GET is served here.');
    switch (request.path) {
      case '/fapi/v1/ping':
        return sendJson(response, 200, {}, weightHeader(1));
      case '/fapi/v1/time':
        return sendJson(response, 200, { serverTime: Date.now() }, weightHeader(1));
      case '/fapi/v1/exchangeInfo':
        return sendJson(response, 200, exchangeInfo(), weightHeader(1));
      case '/fapi/v1/klines': {
        klinesCalls += 1;
        if (klinesCalls <= (options.rateLimitFirstKlines ?? 0)) {
          return sendJson(response, 429, { code: -1003, msg: 'Too many requests; current limit is 2400 requests per minute.' }, {
            'Retry-After': String(options.retryAfterSeconds ?? 1),
          });
        }
        const query = readQuery(request, KLINES_LIMIT);
        if (typeof query === 'string') return error(400, -1102, query);
        if (request.query['symbol'] !== SYMBOL) return error(400, -1121, 'Invalid symbol.');
        const interval = request.query['interval'] ?? '';
        if (!isInterval(interval) && interval !== '1M') return error(400, -1120, 'Invalid interval.');
        const rows = isInterval(interval) ? (options.klines[interval] ?? []) : [];
        return sendJson(response, 200, selectRange(rows, (k) => k[0], query), weightHeader(klinesWeight(query.limit)));
      }
      case '/fapi/v1/fundingRate': {
        const query = readQuery(request, FUNDING_LIMIT);
        if (typeof query === 'string') return error(400, -1102, query);
        const symbol = request.query['symbol'];
        const rows = (options.funding ?? []).filter((f) => symbol === undefined || f.symbol === symbol);
        return sendJson(response, 200, selectRange(rows, (f) => f.fundingTime, query), weightHeader(1));
      }
      default:
        response.writeHead(404).end();
    }
  });
}

interface RangeQuery {
  startTime: number | undefined;
  endTime: number | undefined;
  limit: number;
}

function readQuery(request: LoggedRequest, limits: { default: number; max: number }): RangeQuery | string {
  const integer = (name: string): number | undefined | string => {
    const text = request.query[name];
    if (text === undefined) return undefined;
    return /^\d+$/.test(text) ? Number(text) : `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`;
  };
  const [startTime, endTime, limit] = [integer('startTime'), integer('endTime'), integer('limit')];
  for (const value of [startTime, endTime, limit]) if (typeof value === 'string') return value;
  const wanted = (limit as number | undefined) ?? limits.default;
  if (wanted < 1 || wanted > limits.max) return `Parameter 'limit' must be between 1 and ${limits.max}.`;
  return { startTime: startTime as number | undefined, endTime: endTime as number | undefined, limit: wanted };
}

/**
 * Binance's paging: rows with time in [startTime, endTime], oldest first, at most `limit`, taken
 * from the start when startTime is given and from the end (the most recent) otherwise.
 */
function selectRange<T>(rows: readonly T[], time: (row: T) => number, query: RangeQuery): T[] {
  const inRange = rows.filter((row) => (query.startTime === undefined || time(row) >= query.startTime) && (query.endTime === undefined || time(row) <= query.endTime));
  return query.startTime === undefined ? inRange.slice(-query.limit) : inRange.slice(0, query.limit);
}

function klinesWeight(limit: number): number {
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

/** exchangeInfo with the BTCUSDT perpetual as Binance lists it (filters as in 2025). */
function exchangeInfo(): unknown {
  return {
    timezone: 'UTC',
    serverTime: Date.now(),
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [
      { asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' },
      { asset: 'BTC', marginAvailable: true, autoAssetExchange: '-0.10000000' },
    ],
    symbols: [
      {
        symbol: SYMBOL,
        pair: SYMBOL,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        maintMarginPercent: '2.5000',
        requiredMarginPercent: '5.0000',
        baseAsset: 'BTC',
        quoteAsset: 'USDT',
        marginAsset: 'USDT',
        pricePrecision: 2,
        quantityPrecision: 3,
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        underlyingSubType: ['PoW'],
        settlePlan: 0,
        triggerProtect: '0.0500',
        liquidationFee: '0.012500',
        marketTakeBound: '0.05',
        maxMoveOrderLimit: 10000,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' },
          { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' },
          { filterType: 'MARKET_LOT_SIZE', minQty: '0.001', maxQty: '120', stepSize: '0.001' },
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
          { filterType: 'MIN_NOTIONAL', notional: '100' },
          { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
        ],
        orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
        permissionSets: ['GRID', 'COPY'],
      },
    ],
  };
}
