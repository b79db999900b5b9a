import type { Command } from 'commander';
import { inputError, parseInterval } from '../../engine/index.ts';
import { exportFormat, exportSeries, SERIES_KINDS, type SeriesKind } from '../../data/query/index.ts';
import { withStore } from '../context.ts';
import { parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { printJson } from '../output.ts';

interface ExportFlags {
  symbol: string;
  interval?: string;
  market: string;
  kind: string;
  from?: string;
  to?: string;
  out: string;
  json?: boolean;
}

export function registerDataExport(data: Command): void {
  data
    .command('export')
    .description('write one series to a Parquet or CSV file (opens the store read-only)')
    .requiredOption('--symbol <symbol>', 'symbol, e.g. BTCUSDT')
    .requiredOption('--out <file>', 'output file; .parquet or .csv picks the format')
    .option('--interval <interval>', 'candle interval (not for --kind funding)')
    .option('--market <market>', 'market of the series', 'usdm')
    .option('--kind <kind>', `what to export: ${SERIES_KINDS.join(', ')}`, 'candles')
    .option('--from <time>', 'first time, inclusive (YYYY-MM-DD, ISO time or Unix ms)')
    .option('--to <time>', 'end time, exclusive')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Columns (times are Unix ms UTC; empty where the store has no value):
  candles  open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_base,taker_buy_quote,market
  mark     open_time,open,high,low,close,market
  funding  funding_time,funding_rate,mark_price,market
The leading columns are the plain import formats; every row carries its market, so SYNTHETIC data
stays labelled 'synthetic' wherever the file goes. An existing file is replaced. \`xylen data import\`
reads the file back (with --symbol and --interval unless its name says them, as BTCUSDT-1h-….csv does).

Examples:
  xylen data export --symbol BTCUSDT --interval 1h --out btc-1h.parquet
  xylen data export --symbol BTCUSDT --interval 1m --from 2025-05-10 --to 2025-05-11 --out BTCUSDT-1m-2025-05-10.csv
  xylen data export --symbol BTCUSDT --kind funding --out funding.csv
  xylen data export --market synthetic --symbol BTCUSDT --interval 5m --out synth-5m.parquet --json`,
    )
    .action(async (flags: ExportFlags, command: Command) => {
      const kind = parseKind(flags.kind);
      if (kind !== 'funding' && flags.interval === undefined) {
        throw inputError('MISSING_INTERVAL', `--interval is needed to export ${kind}`, { where: '--interval', hint: 'e.g. --interval 1h' });
      }
      const request = {
        kind,
        key: {
          market: parseMarket(flags.market),
          symbol: parseSymbol(flags.symbol),
          ...(kind === 'funding' || flags.interval === undefined ? {} : { interval: parseInterval(flags.interval, '--interval') }),
        },
        range: parseRange(flags),
        out: flags.out,
      };
      exportFormat(flags.out); // a bad extension is refused before the store is opened
      const result = await withStore(command, { readOnly: true }, (store) => exportSeries(store, request));
      const { market, symbol } = request.key;
      if (flags.json) printJson({ ...result, kind, market, symbol, interval: request.key.interval ?? null, synthetic: market === 'synthetic' });
      else {
        const label = `${market === 'synthetic' ? 'SYNTHETIC' : market} ${symbol} ${request.key.interval ?? ''} ${kind}`.replace(/\s+/g, ' ');
        process.stdout.write(`${label}: ${result.rows.toLocaleString('en-US')} rows written to ${result.path} (${result.format})\n`);
      }
    });
}

function parseKind(text: string): SeriesKind {
  if ((SERIES_KINDS as readonly string[]).includes(text)) return text as SeriesKind;
  throw inputError('BAD_KIND', `unknown kind "${text}"`, { where: '--kind', hint: `use one of ${SERIES_KINDS.join(', ')}` });
}
