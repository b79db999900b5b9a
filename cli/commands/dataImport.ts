import type { Command } from 'commander';
import { Option } from 'commander';
import { formatTime, inputError, parseInterval } from '../../engine/index.ts';
import { describeProblem, importPaths, type ImportOptions, type ImportReport } from '../../data/import/index.ts';
import { resolveConfig, withStore } from '../context.ts';
import { parseSymbol } from '../flags.ts';
import { formatTable, printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface ImportFlags {
  symbol?: string;
  interval?: string;
  market?: 'usdm' | 'spot';
  json?: boolean;
}

const EXAMPLES = `
Formats (recognised by content and file name):
  Binance public data (data.binance.vision): kline CSVs with or without a header, or the
    monthly/daily zips as published (BTCUSDT-1m-2024-01.zip); markPriceKlines; fundingRate.
    A path containing futures/um means USDⓈ-M futures, spot/ means spot.
  Plain CSV with a header: open_time,open,high,low,close,volume (SYMBOL-INTERVAL-….csv),
    funding_time,funding_rate (SYMBOL-funding-….csv), mark price (SYMBOL-markprice-1h-….csv).
  freqtrade data folders: .feather and .json (BTC_USDT_USDT-1m-futures.feather, …-8h-funding_rate, …-1h-mark).
  What \`xylen data export\` writes, CSV or Parquet: the market comes from its market column (a file of
    SYNTHETIC rows stays synthetic; a file mixing markets is rejected); pass --symbol and --interval
    unless the name says them (BTCUSDT-1h-….csv).
  Folders are read recursively; other files (README.md, …) are skipped with a note.

Each file is all or nothing: a file with a bad row is rejected whole (nothing stored from it,
the store untouched) and reported as file:line; the other files still import. Importing the
same file again changes nothing; overlapping files merge without duplicates.

The progress bar counts megabytes of the input files as DuckDB reads them (it reports how far it is
through a file, not rows). Checking and merging a file after the read does not move the bar, so a big
file can rest near its end for a while.

Exit status: 0 when every file was imported or unchanged, 2 when any file was rejected.

Examples:
  xylen data import ~/Downloads/BTCUSDT-1m-2024-01.zip
  xylen data import ../shared/data/binance-usdm/BTCUSDT
  xylen data import user_data/data/binance/futures
  xylen data import prices.csv --symbol BTCUSDT --interval 5m --market spot
  xylen data import data/ --json > report.json
  xylen data import synth-5m.parquet --symbol BTCUSDT --interval 5m
`;

export function registerDataImport(data: Command): void {
  data
    .command('import')
    .description('import candles, mark prices and funding rates from Binance CSV/zip files or freqtrade data folders')
    .argument('<paths...>', 'files or folders')
    .option('--symbol <symbol>', 'symbol for files whose name does not say it, e.g. BTCUSDT')
    .option('--interval <interval>', 'candle interval for files whose name does not say it, e.g. 1m')
    .addOption(new Option('--market <market>', 'market for files whose path does not say it (default: the config market, usdm)').choices(['usdm', 'spot']))
    .option('--json', 'print the import report as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: ImportFlags, command: Command) => {
      const config = await resolveConfig(command);
      const options: ImportOptions = {
        ...(flags.symbol === undefined ? {} : { symbol: parseSymbol(flags.symbol) }),
        ...(flags.interval === undefined ? {} : { interval: parseInterval(flags.interval, '--interval') }),
        ...(flags.market === undefined ? {} : { market: flags.market }),
        defaultMarket: config.market === 'spot' ? 'spot' : 'usdm',
      };
      const report = await withStore(command, { readOnly: false }, async (store) => {
        let progress: Progress | undefined;
        try {
          // In MB of the input files: DuckDB tells how far it is through a file, not how many rows it has read.
          return await importPaths(store, paths, options, ({ bytesDone, bytesTotal }) => {
            progress ??= new Progress({ label: 'import', total: megabytes(bytesTotal), unit: 'MB', quiet: flags.json === true });
            progress.update(megabytes(bytesDone));
          });
        } finally {
          progress?.stop();
        }
      });
      if (flags.json) printJson(report);
      else process.stdout.write(describeReport(report));
      if (report.rejected > 0) {
        throw inputError('IMPORT_REJECTED', `${report.rejected} of ${report.files.length} file(s) rejected; the others were stored`, {
          hint: 'fix the lines named above and import those files again',
        });
      }
    });
}

const megabytes = (bytes: number): number => Math.round(bytes / 1e5) / 10;

function describeReport(report: ImportReport): string {
  const rows = report.files.map((f) => ({
    file: f.source,
    status: f.status,
    series: [f.market, f.symbol, f.interval, f.dataset === 'candles' ? undefined : f.dataset].filter(Boolean).join(' '),
    rows: f.rows,
    added: f.rowsAdded,
    range: f.firstTime === undefined ? '' : `${formatTime(f.firstTime)} … ${formatTime(f.lastTime!)}`,
  }));
  const lines = [formatTable(rows)];
  for (const file of report.files) {
    for (const note of file.notes) lines.push(`note: ${file.source}: ${note}`);
    for (const problem of file.problems) lines.push(describeProblem(file.source, problem));
  }
  for (const skip of report.skipped) lines.push(`skipped: ${skip.path} (${skip.reason})`);
  lines.push(
    `${report.files.length} file(s): ${report.imported} imported, ${report.unchanged} unchanged, ${report.rejected} rejected; ` +
      `${report.rows.toLocaleString('en-US')} rows read, ${report.rowsAdded.toLocaleString('en-US')} new`,
  );
  return `${lines.join('\n')}\n`;
}
