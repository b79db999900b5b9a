import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { formatTime, inputError, operationalError, parseInterval } from '../../engine/index.ts';
import {
  DEFAULT_RETRY_POLICY,
  fetchPublicFiles,
  fetchWithCcxt,
  parseBaseUrl,
  type FetchMarket,
  type FetchRequest,
  type RetryPolicy,
} from '../../data/fetch/index.ts';
import type { Store } from '../../data/index.ts';
import type { TimeRange } from '../../data/query/index.ts';
import { resolveConfig, withStore } from '../context.ts';
import { parseInteger, parseRange, parseSymbol } from '../flags.ts';
import { formatTable, printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface FetchFlags {
  symbol?: string;
  interval: string;
  from: string;
  to?: string;
  source: 'ccxt' | 'files';
  market?: FetchMarket;
  baseUrl?: string;
  funding?: boolean;
  retries: string;
  json?: boolean;
}

export function registerDataFetch(data: Command): void {
  data
    .command('fetch')
    .description('download Binance candles (needs internet): through ccxt (resumable) or as public data files')
    .option('--symbol <symbol>', 'exchange symbol (default: the config symbol, BTCUSDT)')
    .option('--interval <interval>', 'candle interval', '1m')
    .requiredOption('--from <time>', 'first candle open time (UTC date or time)')
    .option('--to <time>', 'end of the range, exclusive (default: now)')
    .addOption(new Option('--source <source>', 'ccxt: REST API page by page; files: data.binance.vision zips').choices(['ccxt', 'files']).default('ccxt'))
    .addOption(new Option('--market <market>', 'Binance USDⓈ-M futures or spot (default: the config market)').choices(['usdm', 'spot']))
    .option('--base-url <url>', 'another host: REST API for ccxt (default $XYLEN_BINANCE_URL), data files for files')
    .option('--funding', 'also fetch funding rates (usdm, ccxt)')
    .option('--retries <n>', 'retries of a request after network errors or rate limits, with exponential backoff (none when the host name does not resolve)', String(DEFAULT_RETRY_POLICY.retries))
    .option('--json', 'print the result as JSON')
    .action(async (flags: FetchFlags, command: Command) => {
      const config = await resolveConfig(command);
      const now = Date.now();
      // --to defaults to now, so a --from in the future is refused like any empty range.
      const { from, to } = parseRange({ from: flags.from, to: flags.to ?? String(now) }) as Required<TimeRange>;
      const request: FetchRequest = {
        market: flags.market ?? (config.market === 'spot' ? 'spot' : 'usdm'),
        symbol: parseSymbol(flags.symbol ?? config.symbol),
        interval: parseInterval(flags.interval, '--interval'),
        from,
        to,
      };
      if (flags.funding && (flags.source === 'files' || request.market !== 'usdm')) {
        throw inputError('FETCH_NO_FUNDING', '--funding works with --source ccxt and --market usdm only', { where: '--funding' });
      }
      const retries = parseInteger(flags.retries, '--retries', { min: 0, max: 20 });
      const baseUrl = flags.baseUrl ?? (flags.source === 'ccxt' ? process.env['XYLEN_BINANCE_URL'] || undefined : undefined);
      const common = { baseUrl: baseUrl === undefined ? undefined : parseBaseUrl(baseUrl), now, retry: { ...DEFAULT_RETRY_POLICY, retries } };
      await withStore(command, { readOnly: false }, (store) => (flags.source === 'ccxt' ? viaCcxt(store, request, flags, common) : viaFiles(store, request, flags, common)));
    });
}

/** What both sources take from the flags. */
interface CommonOptions {
  baseUrl: string | undefined;
  now: number;
  retry: RetryPolicy;
}

async function viaCcxt(store: Store, request: FetchRequest, flags: FetchFlags, common: CommonOptions): Promise<void> {
  const progress = lazyProgress(`fetch ${request.symbol} ${request.interval}`, 'candles', flags.json === true);
  const result = await fetchWithCcxt(store, request, { ...common, funding: flags.funding === true, onProgress: progress.update }).finally(progress.stop);
  if (flags.json) return printJson({ request, ...result });
  const { candles, funding } = result;
  const resumed = candles.resumedFrom > request.from ? `, resumed after the stored candles at ${formatTime(candles.resumedFrom)}` : '';
  process.stdout.write(
    `${request.symbol} ${request.interval} (${request.market}) from ${result.source}: ${candles.rows.toLocaleString('en-US')} candles in ` +
      `${candles.requests} requests, ${candles.rowsAdded.toLocaleString('en-US')} new${resumed}\n`,
  );
  if (funding) process.stdout.write(`funding rates: ${funding.rows} fetched, ${funding.rowsAdded} new\n`);
}

async function viaFiles(store: Store, request: FetchRequest, flags: FetchFlags, common: CommonOptions): Promise<void> {
  const cacheDir = process.env['XYLEN_CACHE'] || join(homedir(), '.cache', 'xylen');
  const progress = lazyProgress(`fetch ${request.symbol} ${request.interval} files`, 'files', flags.json === true);
  const result = await fetchPublicFiles(store, request, { ...common, cacheDir, onProgress: progress.update }).finally(progress.stop);
  if (flags.json) printJson({ request, cacheDir, ...result });
  else {
    const rows = result.files.map((f) => ({ file: f.name, status: f.status, rows: f.rows, new: f.rowsAdded, note: noteFor(f.status, f.url, f.cached, f.message) }));
    process.stdout.write(`${formatTable(rows)}\n${result.rows.toLocaleString('en-US')} rows, ${result.rowsAdded.toLocaleString('en-US')} new; cache ${cacheDir}\n`);
  }
  const rejected = result.files.filter((f) => f.status === 'rejected');
  if (rejected.length > 0) {
    throw operationalError('FETCH_FILES_REJECTED', `${rejected.length} file(s) rejected, the others were imported:\n  ${rejected.map((f) => f.message).join('\n  ')}`, {
      hint: 'run the command again to download them afresh; if it repeats, the mirror serves bad files',
    });
  }
  if (result.files.length > 0 && result.files.every((f) => f.status === 'missing')) {
    throw operationalError('FETCH_NOTHING_FOUND', `no ${request.symbol} ${request.interval} ${request.market} files for the range at ${result.files[0]!.url.replace(/\/[^/]+$/, '/')}`, {
      hint: 'check --symbol, --interval and --market; Binance publishes a month a few days after it ends (use --source ccxt for recent data)',
    });
  }
}

function noteFor(status: string, url: string, cached: boolean, message: string | undefined): string {
  if (status === 'missing') return `not on the server (404): ${url}`;
  if (status === 'rejected') return message ?? '';
  return cached ? 'from cache' : '';
}

/** A progress bar created when the first total is known (the fetchers report it with their first count). */
function lazyProgress(label: string, unit: string, quiet: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  let bar: Progress | undefined;
  return {
    update: (done, total) => {
      bar ??= new Progress({ label, total, unit, quiet });
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
