import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { readInputFile } from '../../config/index.ts';
import { storedExtent, type Market } from '../../data/index.ts';
import { formatTime, inputError, intervalMs, operationalError, parseInterval } from '../../engine/index.ts';
import {
  describeParams,
  getSweep,
  latestSweep,
  listSweeps,
  parseGrid,
  runSweep,
  summarizeSweep,
  sweepResults,
  type StoredSweep,
  type StoredSweepResult,
  type SweepOutcome,
  type SweepSummary,
} from '../../research/sweep/index.ts';
import { DEFAULT_QUEUE_NAME } from '../../research/sweep/queue/sweepJob.ts';
import { chooseMarket } from '../chooseMarket.ts';
import { resolveConfig, resolveDbPath, withStore } from '../context.ts';
import { parseInteger, parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { cellDay, cellPercent, cellRound, formatTable, printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface SweepFlags {
  grid: string;
  from?: string;
  to?: string;
  symbol?: string;
  market?: string;
  workers?: string;
  name?: string;
  period?: string;
  journal?: string;
  by: string;
  n: string;
  queue?: string;
  queueName: string;
  flushMs: string;
  json?: boolean;
}

interface TopFlags {
  by: string;
  n: string;
  partitions: string;
  json?: boolean;
}

/** `xylen sweep [run] --grid …`, `xylen sweep ls|show|top`: parameter sweeps and their statistics. */
export function registerSweepCommands(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('parameter sweeps: replay every configuration of a grid, store the results, rank them with DSR and PBO')
    .addHelpText('after', '\n`xylen sweep --grid grid.yaml …` runs `xylen sweep run`: see `xylen sweep run --help` for its options.');

  sweep
    .command('run', { isDefault: true })
    .description('run a sweep (the default: `xylen sweep --grid grid.yaml …`); rerunning the same sweep resumes it')
    .requiredOption('--grid <file>', 'grid file: config keys and their values (see examples/grid.yaml)')
    .option('--from <time>', 'first decision time, inclusive (default: start of the stored data)')
    .option('--to <time>', 'end of the period, exclusive (default: end of the stored data)')
    .option('--symbol <symbol>', 'symbol (default: the config symbol)')
    .option('--market <market>', 'usdm | spot | synthetic (default: the config market)')
    .option('--workers <n>', 'worker threads (default: the number of cores; 0 = in this thread)')
    .option('--name <name>', 'sweep name (default: the grid file name); the same name, data and grid resume the same sweep')
    .option('--period <interval>', 'length of the return periods stored for PBO/DSR (default: 1h, or the coarsest decision interval)')
    .option('--journal <n>', 'afterwards, store full journaled runs of the best N configurations (by --by)', '0')
    .option('--by <metric>', 'metric to rank by in the summary (and for --journal)', 'sharpe')
    .option('-n, --n <count>', 'configurations shown in the summary', '10')
    .option('--queue <url>', 'put the configurations on a BullMQ queue (redis://host:port/db) for `xylen worker` processes')
    .option('--queue-name <name>', 'BullMQ queue name (workers must use the same)', DEFAULT_QUEUE_NAME)
    .option('--flush-ms <ms>', 'write finished results to the store every this many ms', '2000')
    .option('--json', 'print the outcome and the summary as JSON')
    .addHelpText(
      'after',
      `
The grid names config keys (dotted paths into xylen.yaml) and their values: a list, a range {from, to, step},
or seeded random samples {sample: N, seed, dist: uniform|log_uniform|int|choice, min, max | values}; \`models\`
takes model sets (lists of the config's model names). Every combination is replayed over the same data: candles,
features and model predictions are loaded once and shared by the worker threads, and no journal is written, so
a configuration costs about its event loop. Each result (config, hash, metrics, per-period returns) is stored
under the sweep's id; rerun the same command after a stop (Ctrl-C) and only the missing configurations run.

Examples:
  xylen sweep --grid examples/grid.yaml --from 2024-01-01 --to 2024-04-01
  xylen sweep --grid examples/grid.yaml --from 2024-01-01 --to 2024-04-01 --queue redis://127.0.0.1:6379/0
  xylen sweep top --by sharpe -n 10`,
    )
    .action(async (flags: SweepFlags, command: Command) => {
      const config = await resolveConfig(command);
      const gridPath = flags.grid;
      if (!existsSync(gridPath)) throw inputError('GRID_MISSING', `grid file not found: ${gridPath}`, { where: '--grid', hint: 'see examples/grid.yaml' });
      const grid = parseGrid(readInputFile(gridPath, 'GRID', 'give a YAML grid file (see examples/grid.yaml)'), gridPath);
      const symbol = flags.symbol ? parseSymbol(flags.symbol) : config.symbol;
      const dbPath = await resolveDbPath(command);
      const { market, from, to } = await withStore(command, { readOnly: true }, async (store) => {
        const market = flags.market ? parseMarket(flags.market) : await chooseMarket(store, config.market, symbol, 'sweeping over');
        return { market, ...(await period(store, market, symbol, flags)) };
      });
      const workers = flags.workers === undefined ? availableParallelism() : parseInteger(flags.workers, '--workers', { min: 0, max: 256 });
      const journalTop = parseInteger(flags.journal ?? '0', '--journal', { min: 0 });
      const n = parseInteger(flags.n, '--n', { min: 1 });
      const quiet = flags.json === true;
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        process.stderr.write('\nstopping: writing the finished results (Ctrl-C again to quit at once)…\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      let progress: Progress | undefined;
      let outcome: SweepOutcome;
      let lastStored = -1;
      try {
        outcome = await runSweep({
          grid,
          base: config,
          dbPath,
          market,
          symbol,
          from,
          to,
          workers,
          journalTop,
          journalBy: flags.by,
          flushMs: parseInteger(flags.flushMs, '--flush-ms', { min: 10 }),
          signal: controller.signal,
          ...(flags.name ? { name: flags.name } : {}),
          ...(flags.period ? { periodMs: intervalMs(parseInterval(flags.period, '--period')) } : {}),
          ...(flags.queue ? { runner: (await import('../../research/sweep/queue/queueRunner.ts')).queueRunner({ url: flags.queue, queueName: flags.queueName }) } : {}),
          onPlan: (plan) => {
            process.stderr.write(
              `sweep ${plan.sweepId} (${plan.name}): ${plan.configs} configurations of ${market} ${symbol} ${formatTime(from)} → ${formatTime(to)}` +
                `${plan.skipped > 0 ? `, ${plan.skipped} already stored` : ''}; running on ${plan.runner}\n`,
            );
            progress = new Progress({ label: 'sweep', total: plan.configs - plan.skipped, unit: 'configs', quiet });
          },
          onProgress: (done) => progress?.update(done),
          // Plain lines for logs and pipes (the bar shows only on a terminal).
          onStored: (stored, total) => {
            if (!process.stderr.isTTY && stored !== lastStored) process.stderr.write(`sweep: ${stored}/${total} configurations stored\n`);
            lastStored = stored;
          },
        });
      } finally {
        progress?.stop();
        process.off('SIGINT', onSigint);
      }
      const { summary, sweep: stored } = await withStore(command, { readOnly: true }, async (store) => {
        const sweep = await getSweep(store, outcome.sweepId);
        return { sweep, summary: summarizeSweep(await sweepResults(store, outcome.sweepId, { returns: true }), { by: flags.by, n, periodMs: sweep.periodMs }) };
      });
      if (flags.json) {
        printJson({ ...outcome, summary: summaryJson(summary) });
        if (outcome.status === 'interrupted') throw operationalError('SWEEP_INTERRUPTED', `sweep ${outcome.sweepId} stopped before it finished`, { hint: 'rerun the same command' });
        return;
      }
      const rate = outcome.barConfigsPerSecond;
      process.stdout.write(
        `sweep ${outcome.sweepId} (${outcome.name}) ${outcome.status}: ${outcome.stored} configurations replayed in ${(outcome.elapsedMs / 1000).toFixed(1)} s` +
          `${outcome.stored > 0 ? ` (${formatRate(rate)} bar·configs/s)` : ''}${outcome.skipped > 0 ? `, ${outcome.skipped} were already stored` : ''}\n\n`,
      );
      process.stdout.write(formatSummary(stored, summary));
      for (const j of outcome.journaled) process.stdout.write(`journaled ${j.hash} as ${j.runId}: \`xylen runs show ${j.runId}\`\n`);
      if (outcome.status === 'interrupted') {
        throw operationalError('SWEEP_INTERRUPTED', `sweep ${outcome.sweepId} stopped with ${outcome.skipped + outcome.stored} of ${outcome.configs} configurations stored`, {
          hint: 'rerun the same command: only the missing configurations run',
        });
      }
    });

  sweep
    .command('ls')
    .description('list the stored sweeps, newest first')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const sweeps = await withStore(command, { readOnly: true }, listSweeps);
      if (flags.json) return printJson(sweeps);
      process.stdout.write(
        `${formatTable(
          sweeps.map((s) => ({
            sweep: s.sweepId,
            name: s.name,
            status: s.status,
            symbol: `${s.market} ${s.symbol}`,
            range: `${cellDay(s.from)} → ${cellDay(s.to)}`,
            done: `${s.finished}/${s.configs}`,
            'updated (UTC)': formatTime(s.updatedAt.getTime()),
          })),
        )}\n`,
      );
    });

  sweep
    .command('show')
    .description('one sweep: its grid and every stored result in grid order')
    .argument('[sweep]', 'sweep id or name (default: the newest)')
    .option('--json', 'print the sweep and its results (without return series) as JSON')
    .action(async (id: string | undefined, flags: { json?: boolean }, command: Command) => {
      const { sweep, results } = await withStore(command, { readOnly: true }, async (store) => {
        const sweep = id ? await getSweep(store, id) : await latestSweep(store);
        return { sweep, results: await sweepResults(store, sweep.sweepId) };
      });
      if (flags.json) return printJson({ ...sweep, results });
      process.stdout.write(`${describeSweep(sweep)}\n${formatTable(results.map((r) => resultRow(sweep, r)))}\n`);
    });

  sweep
    .command('top')
    .description('the best configurations of a sweep, with the Deflated Sharpe Ratio and the Probability of Backtest Overfitting')
    .argument('[sweep]', 'sweep id or name (default: the newest)')
    .option('--by <metric>', 'rank by this metric (sharpe, sortino, calmar, total_return, max_drawdown, profit_factor, …)', 'sharpe')
    .option('-n, --n <count>', 'how many to show', '10')
    .option('--partitions <s>', 'CSCV blocks for PBO (even, 2–24)', '16')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
DSR (Bailey & López de Prado 2014): the probability that a configuration's true Sharpe ratio beats the best that
luck alone gives among all the sweep's trials. PBO (Bailey, Borwein, López de Prado & Zhu 2017): over all ways of
splitting the period into in-sample and out-of-sample halves (16 blocks: 12,870 splits), how often the
configuration best in sample ranks in the bottom half out of sample. PBO > 0.5 is warned about. Both read the
per-period returns each result stored.`,
    )
    .action(async (id: string | undefined, flags: TopFlags, command: Command) => {
      const n = parseInteger(flags.n, '--n', { min: 1 });
      const partitions = parseInteger(flags.partitions, '--partitions', { min: 2, max: 24 });
      const { sweep, summary } = await withStore(command, { readOnly: true }, async (store) => {
        const sweep = id ? await getSweep(store, id) : await latestSweep(store);
        const results = await sweepResults(store, sweep.sweepId, { returns: true });
        return { sweep, summary: summarizeSweep(results, { by: flags.by, n, partitions, periodMs: sweep.periodMs }) };
      });
      if (flags.json) return printJson({ sweepId: sweep.sweepId, name: sweep.name, ...summaryJson(summary) });
      process.stdout.write(`${describeSweep(sweep)}\n${formatSummary(sweep, summary)}`);
    });
}

/** The requested period, or the stored extent of the series where a bound is missing. */
async function period(store: Parameters<typeof storedExtent>[0], market: Market, symbol: string, flags: { from?: string; to?: string }): Promise<{ from: number; to: number }> {
  const { from, to } = parseRange(flags);
  if (from !== undefined && to !== undefined) return { from, to };
  const extent = await storedExtent(store, { market, symbol });
  if (extent === undefined) {
    throw inputError('NO_DATA', `no ${market} ${symbol} candles stored in ${store.path}`, {
      hint: 'import some (`xylen data import …`), or make synthetic ones with `xylen data synth --days 90` (then --market synthetic)',
    });
  }
  return { from: from ?? extent.from, to: to ?? extent.to };
}

function describeSweep(sweep: StoredSweep): string {
  const axes = sweep.grid.axes.map((a) => `${a.key} (${a.values.length})`).join(' × ');
  return (
    `sweep ${sweep.sweepId} "${sweep.name}" — ${sweep.status}, ${sweep.finished}/${sweep.configs} configurations\n` +
    `  data ${sweep.market} ${sweep.symbol} ${formatTime(sweep.from)} → ${formatTime(sweep.to)}, returns every ${sweep.periodMs / 60_000} min\n` +
    `  grid ${sweep.grid.file}: ${axes}\n` +
    (sweep.message ? `  note: ${sweep.message}\n` : '')
  );
}


function paramColumns(sweep: StoredSweep, params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(sweep.grid.axes.map((a) => [a.key, format(params[a.key])]));
}

function format(value: unknown): unknown {
  if (Array.isArray(value)) return value.join('+');
  return typeof value === 'number' ? Number(value.toPrecision(6)) : value;
}

function resultRow(sweep: StoredSweep, r: StoredSweepResult): Record<string, unknown> {
  return {
    '#': r.index,
    ...paramColumns(sweep, r.params),
    sharpe: cellRound(r.metrics.sharpe),
    'return %': cellPercent(r.metrics.totalReturn),
    'max dd %': cellPercent(r.metrics.maxDrawdown),
    trades: r.metrics.trades,
    run: r.runId ?? '',
  };
}

function formatSummary(sweep: StoredSweep, summary: SweepSummary): string {
  const rows = summary.top.map((t) => ({
    rank: t.rank,
    ...paramColumns(sweep, t.params),
    ...(summary.by === 'sharpe' ? {} : { [summary.by]: cellRound(t.value, 4) }),
    sharpe: cellRound(t.metrics.sharpe),
    'return %': cellPercent(t.metrics.totalReturn),
    'max dd %': cellPercent(t.metrics.maxDrawdown),
    trades: t.metrics.trades,
    DSR: cellRound(t.dsr, 3),
  }));
  const lines = [`best ${summary.top.length} of ${summary.trials} by ${summary.by}:`, formatTable(rows), ''];
  if (summary.expectedMaxSharpe !== null) {
    lines.push(
      `DSR: probability that the true Sharpe ratio beats ${summary.expectedMaxSharpe.toFixed(2)}, the best ${summary.trials} unskilled trials would show (Sharpe of the ${sweep.periodMs / 60_000}-min returns, annualised)`,
    );
  }
  if (summary.pbo) {
    const { pbo, lossProbability, slope, partitions, splits } = summary.pbo;
    lines.push(
      `PBO: ${pbo.toFixed(3)} (CSCV, ${partitions} blocks, ${splits.toLocaleString('en-US')} splits); best-in-sample loses out of sample in ${(lossProbability * 100).toFixed(1)} % of splits; degradation slope ${slope === null ? 'n/a' : slope.toFixed(2)}`,
    );
  } else {
    lines.push(`PBO: not available (${summary.pboUnavailable ?? 'no results'})`);
  }
  for (const warning of summary.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

function summaryJson(summary: SweepSummary) {
  return { ...summary, top: summary.top.map((t) => ({ ...t, config: describeParams(t.params) })) };
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}
