import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { operationalError, XylenError } from '../../engine/index.ts';
import { describeProblem, importPaths } from '../import/index.ts';
import type { Store } from '../Store.ts';
import { parseBaseUrl } from './createBinanceClient.ts';
import { describeNetworkError } from './describeFetchError.ts';
import type { FetchRequest } from './fetchWithCcxt.ts';
import { DEFAULT_RETRY_POLICY, retryWithBackoff, type RetryPolicy } from './retryWithBackoff.ts';

export const PUBLIC_DATA_URL = 'https://data.binance.vision';

/** One zip of Binance's public data: a whole month, or a day of the current month. */
export interface PublicDataFile {
  name: string;
  /** Path under the base URL, e.g. `/data/futures/um/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01.zip`. */
  path: string;
}

export interface FilesFetchOptions {
  /** Downloaded zips are kept here, under the host name, in the server's layout. */
  cacheDir: string;
  baseUrl?: string;
  /** Decides which months are complete (monthly files) and which days are (daily files). Default: the wall clock. */
  now?: number;
  retry?: RetryPolicy;
  onProgress?: (filesDone: number, filesTotal: number) => void;
}

/**
 * - imported / unchanged: as the importer says (unchanged: the same file was imported before);
 * - missing: the server has no such file (404), e.g. a month before the symbol was listed;
 * - rejected: the zip does not match its `.CHECKSUM`, or the importer refused its rows (`message` says which).
 */
export interface PublicFileOutcome {
  name: string;
  url: string;
  status: 'imported' | 'unchanged' | 'missing' | 'rejected';
  cached: boolean;
  rows: number;
  rowsAdded: number;
  message?: string;
}

export interface FilesFetchResult {
  files: PublicFileOutcome[];
  rows: number;
  rowsAdded: number;
}

const DAY_MS = 86_400_000;

/**
 * The files that cover [from, to): monthly zips for months before the current UTC month, daily zips
 * for the days of the current month before today (Binance publishes a day's file after it ends).
 */
export function publicDataFiles(request: FetchRequest, now: number): PublicDataFile[] {
  const { symbol, interval, from, to } = request;
  const root = `/data/${request.market === 'usdm' ? 'futures/um' : 'spot'}`;
  const file = (granularity: 'monthly' | 'daily', period: string): PublicDataFile => {
    const name = `${symbol}-${interval}-${period}.zip`;
    return { name, path: `${root}/${granularity}/klines/${symbol}/${interval}/${name}` };
  };
  const monthOf = (time: number) => Date.UTC(new Date(time).getUTCFullYear(), new Date(time).getUTCMonth(), 1);
  const nextMonth = (month: number) => Date.UTC(new Date(month).getUTCFullYear(), new Date(month).getUTCMonth() + 1, 1);
  const currentMonth = monthOf(now);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const files: PublicDataFile[] = [];
  for (let month = monthOf(from); month < to; month = nextMonth(month)) {
    if (month < currentMonth) {
      files.push(file('monthly', new Date(month).toISOString().slice(0, 7)));
      continue;
    }
    for (let day = Math.max(month, Math.floor(from / DAY_MS) * DAY_MS); day < Math.min(to, today); day += DAY_MS) {
      files.push(file('daily', new Date(day).toISOString().slice(0, 10)));
    }
  }
  return files;
}

/**
 * Download Binance's public kline zips for a range (data.binance.vision layout), check each
 * against its `.CHECKSUM` (sha256), keep them in the cache and import them one by one. A missing
 * file or a bad one is reported in the result and does not stop the others; network and HTTP
 * errors other than 404 stop the fetch with a message naming the URL (files done stay imported).
 */
export async function fetchPublicFiles(store: Store, request: FetchRequest, options: FilesFetchOptions): Promise<FilesFetchResult> {
  const base = parseBaseUrl(options.baseUrl ?? PUBLIC_DATA_URL);
  const cacheRoot = join(options.cacheDir, new URL(base).host.replace(/[^\w.-]/g, '_'));
  const files = publicDataFiles(request, options.now ?? Date.now());
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const outcomes: PublicFileOutcome[] = [];
  options.onProgress?.(0, files.length);
  for (const file of files) {
    const url = `${base}${file.path}`;
    const local = await download(url, join(cacheRoot, file.path), policy);
    const outcome: PublicFileOutcome = { name: file.name, url, status: 'missing', cached: false, rows: 0, rowsAdded: 0 };
    if (local.status === 'rejected') Object.assign(outcome, { status: 'rejected', message: local.message });
    else if (local.status === 'ok') {
      outcome.cached = local.cached;
      const report = await importPaths(store, [local.path], { market: request.market, symbol: request.symbol, interval: request.interval });
      for (const result of report.files) {
        outcome.rows += result.rows;
        outcome.rowsAdded += result.rowsAdded;
        outcome.status = result.status;
        if (result.status === 'rejected') outcome.message = result.problems.slice(0, 3).map((p) => describeProblem(result.source, p)).join('; ');
      }
    }
    outcomes.push(outcome);
    options.onProgress?.(outcomes.length, files.length);
  }
  return { files: outcomes, rows: sum(outcomes, 'rows'), rowsAdded: sum(outcomes, 'rowsAdded') };
}

type Download = { status: 'ok'; path: string; cached: boolean } | { status: 'missing' } | { status: 'rejected'; message: string };

/** A verified copy of `url` at `path`: reused from the cache when it still matches the checksum. */
async function download(url: string, path: string, policy: RetryPolicy): Promise<Download> {
  const name = url.slice(url.lastIndexOf('/') + 1);
  const checksumText = await get(`${url}.CHECKSUM`, policy);
  if (checksumText === undefined) return { status: 'missing' };
  const expected = /^([0-9a-f]{64})\b/i.exec(new TextDecoder().decode(checksumText).trim())?.[1]?.toLowerCase();
  if (!expected) return { status: 'rejected', message: `${name}.CHECKSUM does not hold a sha256 digest (${url}.CHECKSUM)` };

  const cachedBytes = await readFile(path).catch(() => undefined);
  if (cachedBytes && sha256(cachedBytes) === expected) return { status: 'ok', path, cached: true };
  const bytes = await get(url, policy);
  if (bytes === undefined) return { status: 'missing' };
  const actual = sha256(bytes);
  if (actual !== expected) {
    await rm(path, { force: true });
    return { status: 'rejected', message: `checksum mismatch for ${name}: its sha256 is ${actual}, ${name}.CHECKSUM says ${expected} (${url}); not imported` };
  }
  await mkdir(dirname(path), { recursive: true });
  // Write then rename, so an interrupted download never leaves a partial zip under the real name.
  await writeFile(`${path}.part`, bytes);
  await rename(`${path}.part`, path);
  return { status: 'ok', path, cached: false };
}

/** The body of `url`, or undefined on 404. Network errors (but a host name that does not resolve), 429 and 5xx are retried with backoff. */
async function get(url: string, policy: RetryPolicy): Promise<Uint8Array | undefined> {
  const response = await retryWithBackoff(
    async () => {
      let answer: Response;
      try {
        answer = await fetch(url);
      } catch (error) {
        throw describeNetworkError(error, url);
      }
      if (answer.status === 429 || answer.status >= 500) {
        await answer.body?.cancel();
        throw new HttpRetry(answer.status, answer.statusText, Number(answer.headers.get('Retry-After')));
      }
      return answer;
    },
    retryDelay,
    policy,
  ).catch((error: unknown) => {
    if (error instanceof HttpRetry) {
      throw new XylenError('temporary', 'FETCH_HTTP_ERROR', `GET ${url} answered ${error.status} ${error.statusText}`, {
        hint: 'try again later; files already imported stay imported',
      });
    }
    throw error;
  });
  if (!response.ok) await response.body?.cancel();
  if (response.status === 404) return undefined;
  if (!response.ok) throw operationalError('FETCH_HTTP_ERROR', `GET ${url} answered ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * How long to wait before retrying, or undefined when retrying cannot help: 429 and 5xx (at least their
 * Retry-After) and network trouble are retried; a host name that does not resolve (describeNetworkError) is not.
 */
function retryDelay(error: unknown): number | undefined {
  if (error instanceof HttpRetry) return Number.isFinite(error.retryAfter) ? error.retryAfter * 1000 : 0;
  return error instanceof XylenError && error.kind === 'temporary' && error.code !== 'FETCH_HOST_NOT_FOUND' ? 0 : undefined;
}

class HttpRetry extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly retryAfter: number,
  ) {
    super(`HTTP ${status}`);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sum(outcomes: PublicFileOutcome[], key: 'rows' | 'rowsAdded'): number {
  return outcomes.reduce((total, o) => total + o[key], 0);
}
