import type { Command } from 'commander';
import { formatTime, inputError, isInterval, parseInterval, type Interval } from '../../engine/index.ts';
import { resampleRatio, storeResampled, type ResampleReport } from '../../data/query/index.ts';
import { withStore } from '../context.ts';
import { parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface ResampleFlags {
  symbol: string;
  market: string;
  fromInterval: string;
  to: string;
  from?: string;
  until?: string;
  includeIncomplete?: boolean;
  json?: boolean;
}

/** Differing rows listed in the text view; --json lists all. */
const DIFFERENCES_SHOWN = 10;

export function registerDataResample(data: Command): void {
  data
    .command('resample')
    .description('make coarser candles from stored finer ones inside DuckDB and store the complete buckets')
    .requiredOption('--symbol <symbol>', 'symbol, e.g. BTCUSDT')
    .requiredOption('--to <intervals>', 'target interval(s), comma-separated: e.g. 5m or 5m,15m,1h (each a multiple of the source, at most 1d)')
    .option('--from-interval <interval>', 'source interval', '1m')
    .option('--market <market>', 'market of the series', 'usdm')
    .option('--from <time>', 'first bucket open time, inclusive (YYYY-MM-DD, ISO time or Unix ms)')
    .option('--until <time>', 'end of the buckets, exclusive (--to names the target intervals)')
    .option('--include-incomplete', 'also store buckets that miss source candles (they are still listed)')
    .option('--json', 'print the reports as JSON, with the open time of every incomplete bucket')
    .addHelpText(
      'after',
      `
Buckets start at UTC multiples of the target interval. open = first open, high = max, low = min,
close = last close, volumes and trades are summed. A bucket missing any source candle is incomplete:
it is reported and, unless --include-incomplete, not stored. A bucket already stored under the target
interval (e.g. imported natively) is kept as it is and counted as skipped; if its values differ from
the resampled ones, the difference is reported.

Examples:
  xylen data resample --symbol BTCUSDT --to 5m
  xylen data resample --symbol BTCUSDT --from-interval 1m --to 5m,15m,1h,4h,1d
  xylen data resample --market synthetic --symbol BTCUSDT --to 1h --from 2024-01-01 --until 2024-02-01 --json`,
    )
    .action(async (flags: ResampleFlags, command: Command) => {
      const source = {
        market: parseMarket(flags.market),
        symbol: parseSymbol(flags.symbol),
        interval: parseInterval(flags.fromInterval, '--from-interval'),
      };
      const targets = parseTargets(flags.to, source.interval);
      const range = parseRange({ from: flags.from, to: flags.until }, { from: '--from', to: '--until' });
      const reports = await withStore(command, { readOnly: false }, async (store) => {
        const done: ResampleReport[] = [];
        for (const target of targets) {
          let progress: Progress | undefined;
          const onProgress = (rows: number, total: number) => {
            progress ??= new Progress({ label: `resample ${source.interval}→${target}`, total, unit: 'candles', quiet: flags.json === true });
            progress.update(rows);
          };
          try {
            done.push(await storeResampled(store, source, target, range, { includeIncomplete: flags.includeIncomplete === true, onProgress }));
          } finally {
            progress?.stop();
          }
        }
        return done;
      });
      if (flags.json) printJson({ market: source.market, symbol: source.symbol, from: source.interval, reports });
      else process.stdout.write(`${reports.map(describe).join('\n')}\n`);
    });
}

function parseTargets(text: string, source: Interval): Interval[] {
  const names = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (names.length > 0 && !names.every(isInterval) && /^(\d{4}-|\d{9,}$)/.test(text.trim())) {
    throw inputError('BAD_INTERVAL', `takes the target interval(s), not a time ("${text}")`, {
      where: '--to',
      hint: 'end the time range with --until; e.g. --to 5m,1h --until 2024-02-01',
    });
  }
  if (names.length === 0) throw inputError('BAD_INTERVAL', 'no target interval given', { where: '--to', hint: 'e.g. --to 5m,15m,1h' });
  const targets = [...new Set(names.map((name) => parseInterval(name, '--to')))];
  // Check every target before writing any, so a typo in the last one leaves the store untouched.
  for (const target of targets) resampleRatio(source, target, '--to');
  return targets;
}

function describe(report: ResampleReport): string {
  const { source, target } = report;
  const label = `${source.market === 'synthetic' ? 'SYNTHETIC' : source.market} ${source.symbol} ${source.interval} → ${target}`;
  const incomplete = report.incomplete.length;
  const lines = [
    `${label}: ${report.written.toLocaleString('en-US')} buckets written from ${report.sourceRows.toLocaleString('en-US')} candles; ` +
      `${report.skippedExisting.toLocaleString('en-US')} already stored (kept); ` +
      `${incomplete.toLocaleString('en-US')} incomplete ${report.incompleteStored ? 'stored anyway (--include-incomplete)' : 'skipped'}`,
  ];
  if (incomplete > 0 && !report.incompleteStored) lines.push(`  incomplete buckets: ${report.incomplete.slice(0, 5).map((b) => `${formatTime(b.openTime)} (${b.count}/${b.expected})`).join(', ')}${incomplete > 5 ? ', …' : ''}`);
  if (report.differing.length > 0) {
    lines.push(`  ${report.differing.length} stored ${target} candles differ from the resampled ones (the stored ones were kept):`);
    for (const d of report.differing.slice(0, DIFFERENCES_SHOWN)) lines.push(`    ${formatTime(d.openTime)}: ${d.columns.join(', ')}`);
    if (report.differing.length > DIFFERENCES_SHOWN) lines.push(`    … and ${report.differing.length - DIFFERENCES_SHOWN} more (--json lists all)`);
  }
  return lines.join('\n');
}
