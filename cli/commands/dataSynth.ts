import type { Command } from 'commander';
import { formatTime, inputError, intervalMs, parseInterval, parseTime } from '../../engine/index.ts';
import { importSynthetic, SYNTHETIC_MARKET } from '../../data/synth/index.ts';
import { withStore } from '../context.ts';
import { printJson } from '../output.ts';
import { parseInteger, parseSymbol } from '../flags.ts';
import { Progress } from '../Progress.ts';

interface SynthFlags {
  symbol: string;
  days: string;
  start: string;
  interval: string;
  seed: string;
  price: string;
  json?: boolean;
}

const DAY_MS = 86_400_000;

export function registerDataSynth(data: Command): void {
  data
    .command('synth')
    .description(`generate SYNTHETIC BTC-like candles and funding rates (seeded, offline) into market '${SYNTHETIC_MARKET}'`)
    .option('--symbol <symbol>', 'symbol to store the series under', 'BTCUSDT')
    .option('--days <n>', 'length of the series in days', '30')
    .option('--start <time>', 'open time of the first candle (UTC date or time)', '2024-01-01')
    .option('--interval <interval>', 'candle interval', '1m')
    .option('--seed <n>', 'seed: the same seed gives the same series, byte for byte', '42')
    .option('--price <n>', 'price at the start', '60000')
    .option('--json', 'print the result as JSON')
    .action(async (flags: SynthFlags, command: Command) => {
      const interval = parseInterval(flags.interval, '--interval');
      const start = parseTime(flags.start, '--start');
      const days = positiveNumber(flags.days, '--days');
      const options = {
        symbol: parseSymbol(flags.symbol),
        interval,
        start,
        end: start + Math.floor((days * DAY_MS) / intervalMs(interval)) * intervalMs(interval),
        seed: parseInteger(flags.seed, '--seed'),
        price: positiveNumber(flags.price, '--price'),
      };
      const result = await withStore(command, { readOnly: false }, async (store) => {
        const progress = new Progress({ label: 'SYNTHETIC', total: (options.end - start) / intervalMs(interval), unit: 'candles', quiet: flags.json === true });
        try {
          return { path: store.path, ...(await importSynthetic(store, options, (done) => progress.update(done))) };
        } finally {
          progress.stop();
        }
      });
      const { candles, funding } = result;
      if (flags.json) {
        printJson({ synthetic: true, market: SYNTHETIC_MARKET, symbol: options.symbol, interval, seed: options.seed, store: result.path, source: result.source, candles, funding });
        return;
      }
      const range = candles.firstTime === undefined ? '' : ` ${formatTime(candles.firstTime)} to ${formatTime(candles.lastTime!)}`;
      process.stdout.write(
        `SYNTHETIC data (generated, not market data): ${options.symbol} ${interval}${range}, seed ${options.seed}, market '${SYNTHETIC_MARKET}'\n` +
          `  ${candles.rows.toLocaleString('en-US')} candles (${candles.rowsAdded.toLocaleString('en-US')} new), ` +
          `${funding.rows} funding rates (${funding.rowsAdded} new) in ${result.path}, source ${result.source}\n`,
      );
    });
}

function positiveNumber(text: string, where: string): number {
  const value = Number(text);
  if (text.trim() !== '' && Number.isFinite(value) && value > 0) return value;
  throw inputError('BAD_NUMBER', `must be a positive number, not "${text}"`, { where });
}
