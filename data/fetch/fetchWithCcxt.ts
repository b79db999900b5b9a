import { inputError, intervalMs, operationalError, type Interval } from '../../engine/index.ts';
import type { CandleColumns, FundingColumns } from '../CandleColumns.ts';
import { describeProblem, importCandleColumns, importFundingColumns, type FileImportResult } from '../import/index.ts';
import type { Store } from '../Store.ts';
import { createBinanceClient, loadCcxt, type Ccxt, type FetchMarket } from './createBinanceClient.ts';
import { describeCcxtError, hostNotFound } from './describeFetchError.ts';
import { DEFAULT_RETRY_POLICY, retryWithBackoff, type RetryPolicy } from './retryWithBackoff.ts';

export interface FetchRequest {
  market: FetchMarket;
  symbol: string;
  interval: Interval;
  /** Range of candle open times, [from, to), Unix ms UTC. */
  from: number;
  to: number;
}

export interface CcxtFetchOptions {
  baseUrl?: string;
  /** Also fetch the funding history of the range (USDⓈ-M only). */
  funding?: boolean;
  /** Candles that have not closed by `now` are not fetched (default: the wall clock). */
  now?: number;
  rateLimitMs?: number;
  retry?: RetryPolicy;
  /** Candles of the range stored so far (including those stored by an earlier run), and the range's total. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeriesFetchSummary {
  /** Where this run started: `from`, or just after the candles an earlier run stored from `from` on. */
  resumedFrom: number;
  requests: number;
  rows: number;
  rowsAdded: number;
}

export interface CcxtFetchResult {
  source: string;
  candles: SeriesFetchSummary;
  funding?: SeriesFetchSummary;
}

/** Binance's largest kline page: 1500 on USDⓈ-M, 1000 on spot. */
const PAGE_LIMIT: Record<FetchMarket, number> = { usdm: 1500, spot: 1000 };
const FUNDING_PAGE_LIMIT = 1000;

/**
 * Fetch Binance candles (and optionally funding rates) for a range through ccxt, page by page,
 * storing each page as it arrives, so an interrupted fetch loses at most one page and the next run
 * resumes where the stored candles of the range stop (see storedPrefixEnd).
 *
 * It calls Binance's klines endpoint through ccxt's implicit API (`fapiPublicGetKlines`,
 * `publicGetKlines`) rather than `fetchOHLCV`: that keeps ccxt's rate limiter, URLs and error
 * mapping, but returns all 12 kline fields (quote volume, trades, taker buys, which fetchOHLCV
 * drops) and pages of 1500 (fetchOHLCV caps them at 1000).
 */
export async function fetchWithCcxt(store: Store, request: FetchRequest, options: CcxtFetchOptions = {}): Promise<CcxtFetchResult> {
  if (options.funding && request.market !== 'usdm') {
    throw inputError('FETCH_NO_FUNDING', 'funding rates exist only for USDⓈ-M futures', { where: '--funding', hint: 'drop --funding, or use --market usdm' });
  }
  const ccxt = await loadCcxt();
  const client = createBinanceClient(ccxt, { market: request.market, baseUrl: options.baseUrl, rateLimitMs: options.rateLimitMs });
  const api = client.urls['api'] as Record<string, string>;
  const host = new URL(api[request.market === 'usdm' ? 'fapiPublic' : 'public']!).origin;
  const source = `ccxt:${client.id}@${host}`;
  const call = <T>(what: string, work: () => Promise<T>): Promise<T> =>
    retryWithBackoff(work, (error) => retryDelay(ccxt, error, client.last_response_headers), options.retry ?? DEFAULT_RETRY_POLICY).catch((error: unknown) => {
      throw describeCcxtError(ccxt, error, what, host);
    });
  try {
    const candles = await fetchCandles(store, request, options, source, (params) =>
      call(`${request.symbol} ${request.interval} candles`, () =>
        request.market === 'usdm' ? client.fapiPublicGetKlines(params) : client.publicGetKlines(params),
      ),
    );
    if (!options.funding) return { source, candles };
    const funding = await fetchFunding(store, request, source, (params) =>
      call(`${request.symbol} funding rates`, () => client.fapiPublicGetFundingRate(params)),
    );
    return { source, candles, funding };
  } finally {
    await client.close();
  }
}

type RangeParams = { symbol: string; startTime: number; endTime: number; limit: number };
type Page = (params: RangeParams & { interval?: Interval }) => Promise<unknown>;

async function fetchCandles(store: Store, request: FetchRequest, options: CcxtFetchOptions, source: string, page: Page): Promise<SeriesFetchSummary> {
  const { market, symbol, interval } = request;
  const step = intervalMs(interval);
  const from = Math.ceil(request.from / step) * step;
  // Only closed candles: a candle still forming would be stored with a close that later changes.
  const to = Math.min(request.to, Math.floor((options.now ?? Date.now()) / step) * step);
  const total = Math.max(0, Math.ceil((to - from) / step));
  const stored = await storedPrefixEnd(store, request, from, to);
  const summary: SeriesFetchSummary = { resumedFrom: stored ?? from, requests: 0, rows: 0, rowsAdded: 0 };
  let cursor = summary.resumedFrom;
  options.onProgress?.(Math.min(total, Math.ceil((cursor - from) / step)), total);
  while (cursor < to) {
    summary.requests += 1;
    const columns = parseKlines(await page({ symbol, interval, startTime: cursor, endTime: to - 1, limit: PAGE_LIMIT[market] }), source);
    if (columns.length === 0) break;
    const result = await importCandleColumns(store, columns, { market, symbol, interval, source, format: 'binance-klines-rest' });
    addResult(summary, result);
    cursor = columns.openTime[columns.length - 1]! + step;
    options.onProgress?.(Math.min(total, Math.ceil((cursor - from) / step)), total);
  }
  return summary;
}

/**
 * Where an earlier fetch of this range stopped: the end of the unbroken run of stored candles that
 * starts at `from`, or undefined when the range's first candle is not stored. Candles stored
 * further on (by another fetch or import) are fetched again and merge as unchanged; skipping to
 * the last stored candle instead would leave the gap before it empty for good.
 */
async function storedPrefixEnd(store: Store, request: FetchRequest, from: number, to: number): Promise<number | undefined> {
  const step = intervalMs(request.interval);
  const [row] = await store.all(
    `WITH stored AS (
       SELECT open_time, row_number() OVER (ORDER BY open_time) - 1 AS i FROM candles
       WHERE market = $1 AND symbol = $2 AND interval = $3 AND open_time >= $4 AND open_time < $5)
     SELECT max(open_time)::DOUBLE AS t FROM stored WHERE open_time = $4 + i * $6`,
    [request.market, request.symbol, request.interval, from, to, step],
  );
  const last = row?.['t'];
  return typeof last === 'number' ? last + step : undefined;
}

/** Funding history of the whole range: a year is two requests, so there is nothing worth resuming. */
async function fetchFunding(store: Store, request: FetchRequest, source: string, page: Page): Promise<SeriesFetchSummary> {
  const { market, symbol, from, to } = request;
  const summary: SeriesFetchSummary = { resumedFrom: from, requests: 0, rows: 0, rowsAdded: 0 };
  let cursor = from;
  while (cursor < to) {
    summary.requests += 1;
    const columns = parseFunding(await page({ symbol, startTime: cursor, endTime: to - 1, limit: FUNDING_PAGE_LIMIT }), source);
    if (columns.length === 0) break;
    addResult(summary, await importFundingColumns(store, columns, { market, symbol, source, format: 'binance-funding-rest' }));
    cursor = columns.fundingTime[columns.length - 1]! + 1;
  }
  return summary;
}

function addResult(summary: SeriesFetchSummary, result: FileImportResult): void {
  if (result.status === 'rejected') {
    const problems = result.problems.slice(0, 3).map((p) => describeProblem(result.source, p));
    throw operationalError('FETCH_REJECTED', `the exchange sent rows the store refuses:\n  ${problems.join('\n  ')}`, {
      hint: 'nothing of this page was stored; earlier pages were',
    });
  }
  summary.rows += result.rows;
  summary.rowsAdded += result.rowsAdded;
}

/** Binance klines (arrays of 12 fields, decimals as strings) into columns. */
function parseKlines(response: unknown, source: string): CandleColumns {
  const rows = expectArray(response, source, 'klines');
  const column = () => new Float64Array(rows.length);
  const columns = {
    length: rows.length,
    openTime: column(),
    open: column(),
    high: column(),
    low: column(),
    close: column(),
    volume: column(),
    quoteVolume: column(),
    trades: column(),
    takerBuyBase: column(),
    takerBuyQuote: column(),
  };
  const order = [columns.openTime, columns.open, columns.high, columns.low, columns.close, columns.volume, undefined, columns.quoteVolume, columns.trades, columns.takerBuyBase, columns.takerBuyQuote];
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length < order.length) throw unexpected(source, 'klines', row);
    order.forEach((target, field) => {
      if (target) target[i] = Number(row[field]);
    });
  });
  return columns;
}

function parseFunding(response: unknown, source: string): FundingColumns {
  const rows = expectArray(response, source, 'funding rates') as Record<string, unknown>[];
  const number = (value: unknown) => (value === '' || value === undefined || value === null ? Number.NaN : Number(value));
  const fundingTime = Float64Array.from(rows, (r) => number(r['fundingTime']));
  const rate = Float64Array.from(rows, (r) => number(r['fundingRate']));
  const markPrice = Float64Array.from(rows, (r) => number(r['markPrice']));
  // Binance leaves the mark price empty on old records; a page with gaps stores none rather than guesses.
  return { length: rows.length, fundingTime, rate, ...(markPrice.every(Number.isFinite) ? { markPrice } : {}) };
}

function expectArray(response: unknown, source: string, what: string): unknown[] {
  if (!Array.isArray(response)) throw unexpected(source, what, response);
  return response;
}

function unexpected(source: string, what: string, value: unknown) {
  return operationalError('FETCH_BAD_RESPONSE', `${source} answered ${what} with something that is not Binance's format: ${JSON.stringify(value)?.slice(0, 200)}`);
}

/**
 * How long to wait before retrying a ccxt error, or undefined when retrying cannot help: network
 * trouble and rate limits are retried, waiting at least the `Retry-After` the server sent; a host name that does
 * not resolve is not.
 */
function retryDelay(ccxt: Ccxt, error: unknown, headers: Record<string, string> | undefined): number | undefined {
  if (!(error instanceof ccxt.NetworkError) || hostNotFound(error) !== undefined) return undefined;
  const retryAfter = Number(headers?.['Retry-After']);
  return Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0;
}
