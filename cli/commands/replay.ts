import type { Command } from 'commander';
import { candleCount, storedExtent, type Market, type Store } from '../../data/index.ts';
import { importSynthetic, SYNTHETIC_MARKET } from '../../data/synth/index.ts';
import { formatTime, inputError } from '../../engine/index.ts';
import { formatReport } from '../../research/report/formatReport.ts';
import { runStoredReplay } from '../../research/replay/runStoredReplay.ts';
import { resolveConfig, withStore } from '../context.ts';
import { parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface ReplayFlags {
  symbol?: string;
  market?: string;
  from?: string;
  to?: string;
  json?: boolean;
  synth: boolean;
}

/** Days of synthetic candles made for a first replay on a machine with no data. */
const DEMO_DAYS = 90;

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a historical period with the configured ensemble, print the report and store the run')
    .option('--symbol <symbol>', 'symbol to replay (default: config symbol)')
    .option('--market <market>', 'usdm | spot | synthetic (default: config market)')
    .option('--from <time>', 'first decision time, inclusive (YYYY-MM-DD, ISO or Unix ms; default: start of the stored data)')
    .option('--to <time>', 'end of the period, exclusive (default: end of the stored data)')
    .option('--json', 'print one JSON object (runId, journalHash, bars, elapsedMs and its phasesMs, metrics, manifest) instead of the report')
    .option('--no-synth', 'with no data stored, fail instead of generating synthetic demo data')
    .addHelpText(
      'after',
      `
The engine uses the finest interval stored for the symbol as its base (fills, stops, liquidation), decides on
intervals.decision candles (stored or resampled from the base) with intervals.context features, and writes every
snapshot, vote, decision, order, fill, funding payment and risk event to the store. Sharpe and Sortino are
annualised on 365 days. With no candles stored at all it first generates ${DEMO_DAYS} days of SYNTHETIC data and says so.

Examples:
  xylen replay                                         # whole stored period of the config's symbol
  xylen replay --symbol BTCUSDT --from 2023-01-01 --to 2024-05-14
  xylen replay --market synthetic --json | jq .metrics.sharpe`,
    )
    .action(async (flags: ReplayFlags, command: Command) => {
      const config = await resolveConfig(command);
      let market: Market = flags.market ? parseMarket(flags.market) : config.market;
      const symbol = flags.symbol ? parseSymbol(flags.symbol) : config.symbol;
      await withStore(command, { readOnly: false }, async (store) => {
        if (flags.synth && flags.from === undefined && flags.to === undefined && (await candleCount(store, market, symbol)) === 0) {
          market = await useDemoData(store, symbol, config.replay.seed, flags.json === true);
        }
        const { from, to } = await period(store, market, symbol, flags);
        let progress: Progress | undefined;
        let result;
        try {
          result = await runStoredReplay(store, config, { market, symbol, from, to }, (done, total) => {
            progress ??= new Progress({ label: 'replay', total, unit: 'bars', quiet: flags.json === true });
            progress.update(done);
          });
        } finally {
          progress?.stop();
        }
        const barsPerSecond = result.bars / (result.elapsedMs / 1000);
        if (flags.json) {
          printJson({ ...result, barsPerSecond });
          return;
        }
        // No "Replayed in" line from the report: the summary below gives the time with its loading and commit.
        process.stdout.write(formatReport(result.metrics, result.manifest, { runId: result.runId, kind: 'replay', status: 'complete', journalHash: result.journalHash }));
        if (!result.instrumentKnown) process.stdout.write(`  note: no exchange filters known for ${symbol}; generic tick and step sizes were used\n`);
        process.stdout.write(
          `\n${result.bars.toLocaleString('en-US')} bars, ${result.decisions.toLocaleString('en-US')} decisions in ${(result.elapsedMs / 1000).toFixed(2)} s ` +
            `(${Math.round(barsPerSecond).toLocaleString('en-US')} bars/s; loading ${(result.loadMs / 1000).toFixed(2)} s before, journal committed ${(result.storeMs / 1000).toFixed(2)} s after)\n` +
            `stored as ${result.runId} in ${store.path}: \`xylen runs show ${result.runId}\`, \`xylen runs export ${result.runId} --csv DIR\`\n`,
        );
      });
    });
}

/** With no data for the symbol, replay synthetic candles: those already stored, or DEMO_DAYS freshly generated. Says so. */
async function useDemoData(store: Store, symbol: string, seed: number, quiet: boolean): Promise<Market> {
  if ((await candleCount(store, SYNTHETIC_MARKET, symbol)) === 0) {
    const day = 86_400_000;
    const end = Date.UTC(2025, 0, 1);
    await importSynthetic(store, { symbol, start: end - DEMO_DAYS * day, end, interval: '1m', seed, price: 60_000 });
  }
  if (!quiet) {
    process.stderr.write(
      `No market data for ${symbol} in ${store.path}: replaying SYNTHETIC candles (market 'synthetic', seed ${seed}), not market data.\n` +
        `For real data: xylen data import <Binance CSV/zip or freqtrade folder>, or xylen data fetch (needs internet).\n\n`,
    );
  }
  return SYNTHETIC_MARKET;
}

/** The requested period, or the stored extent of the series where a bound is missing. */
async function period(store: Store, market: Market, symbol: string, flags: ReplayFlags): Promise<{ from: number; to: number }> {
  const { from, to } = parseRange(flags);
  if (from !== undefined && to !== undefined) return { from, to };
  const extent = await storedExtent(store, { market, symbol });
  if (extent === undefined) {
    throw inputError('NO_DATA', `no ${market} ${symbol} candles stored in ${store.path}`, {
      hint: 'see what is stored with `xylen data ls`; import with `xylen data import …` or make synthetic data with `xylen data synth`',
    });
  }
  const result = { from: from ?? extent.from, to: to ?? extent.to };
  if (from === undefined || to === undefined) {
    process.stderr.write(`replaying ${market} ${symbol} ${formatTime(result.from)} → ${formatTime(result.to)}\n`);
  }
  return result;
}
