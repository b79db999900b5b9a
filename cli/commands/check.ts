import type { Command } from 'commander';
import type { XylenConfig } from '../../config/index.ts';
import { storedExtent, type Market, type Store } from '../../data/index.ts';
import { formatTime, inputError, intervalMs, operationalError, parseInterval, parseTime, Rng } from '../../engine/index.ts';
import { checkLookahead, describeDifference, type LookaheadResult } from '../../research/replay/checkLookahead.ts';
import { loadReplayData, type ReplayInputs } from '../../research/replay/loadReplayData.ts';
import { chooseMarket } from '../chooseMarket.ts';
import { resolveConfig, withStore } from '../context.ts';
import { parseInteger, parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { printJson } from '../output.ts';

interface LookaheadFlags {
  symbol?: string;
  market?: string;
  from?: string;
  to?: string;
  at?: string;
  points?: string;
  seed?: string;
  json?: boolean;
  asConfigured?: boolean;
}

const DEFAULT_POINTS = '3';

export function registerCheckCommands(program: Command): void {
  const check = program.command('check').description('checks of the engine on stored data');
  check
    .command('lookahead')
    .description('replay a period, replay it again with everything after a time t perturbed, and fail if anything at or before t changed')
    .option('--symbol <symbol>', 'symbol (default: the config symbol)')
    .option('--market <market>', 'usdm | spot | synthetic (default: the config market; synthetic data when that has none)')
    .option('--from <time>', 'start of the replay, inclusive (default: start of the stored data)')
    .option('--to <time>', 'end, exclusive (default: end of the stored data)')
    .option('--at <time>', 'check this one time t (instead of --points random ones)')
    .option('--points <n>', 'how many random decision times t to check', DEFAULT_POINTS)
    .option('--seed <n>', 'seed for the choice of times and the perturbation (default: replay.seed)')
    .option('--json', 'print one JSON object with every result')
    .option('--as-configured', 'keep the risk rules that pause or halt trading (by default the check turns them off)')
    .addHelpText(
      'after',
      `
For each t the period is replayed twice with the config: as stored, and with every candle that closes after t
(base, decision and context) and every funding rate after t changed to other valid values. Every journal record
stamped at or before t (heartbeats: features, votes, decision, equity; orders, risk events, fills) must come out the same;
the first that differs is named. Records after t may differ: an order placed at t fills on the next bar.
Exit status 0 when every t passes, 1 when a look-ahead is detected.

By default the drawdown shutdown, the daily loss limits and the loss-streak breaker are turned off for the check:
a replay halted early compares little but "HALTED" decisions. --as-configured keeps them.

Examples:
  xylen check lookahead                                # 3 random times over the stored period
  xylen check lookahead --from 2024-01-01 --to 2024-02-01 --points 10 --seed 7
  xylen check lookahead --at "2024-01-15 12:00" --json`,
    )
    .action(async (flags: LookaheadFlags, command: Command) => {
      const configured = await resolveConfig(command);
      const config: XylenConfig = flags.asConfigured
        ? configured
        : { ...configured, risk: { ...configured.risk, max_drawdown_pct: 0, daily_loss_limit_pct: 0, daily_loss_limit_abs: 0, max_consecutive_losses: 1000 } };
      if (flags.at !== undefined && command.getOptionValueSource('points') === 'cli') {
        throw inputError('CONFLICTING_FLAGS', '--at and --points cannot be used together', { where: '--at/--points', hint: 'give one time with --at, or a count of random times with --points' });
      }
      const points = parseInteger(flags.points ?? DEFAULT_POINTS, '--points', { min: 1, max: 1000 });
      const seed = flags.seed === undefined ? config.replay.seed : parseInteger(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1 });
      const at = flags.at === undefined ? undefined : parseTime(flags.at, '--at');
      const range = parseRange(flags);
      await withStore(command, { readOnly: true }, async (store) => {
        const series = await chooseSeries(store, config, flags);
        const { from, to } = await period(store, series, range);
        const inputs = await loadReplayData(store, {
          ...series,
          from,
          to,
          decisionInterval: parseInterval(config.intervals.decision, 'intervals.decision'),
          contextInterval: parseInterval(config.intervals.context, 'intervals.context'),
        });
        if (at !== undefined && !(at >= from && at < to)) {
          throw inputError('AT_OUTSIDE_PERIOD', `--at ${formatTime(at)} is outside the checked period ${formatTime(from)} → ${formatTime(to)}`, {
            where: '--at',
            hint: 'give a time inside --from/--to (or the stored period)',
          });
        }
        const times = at === undefined ? randomDecisionTimes(inputs, points, seed) : [at];
        const results: LookaheadResult[] = [];
        for (const t of times) {
          const result = await checkLookahead(inputs, config, t, { seed });
          results.push(result);
          if (!flags.json) process.stdout.write(`${formatLookaheadResult(result)}\n`);
        }
        const failed = results.filter((r) => r.status === 'FAIL');
        if (flags.json) {
          printJson({ ...series, from, to, seed, passed: failed.length === 0, results: results.map((r) => ({ time: formatTime(r.t), ...r })) });
        } else {
          process.stdout.write(`${results.length - failed.length} of ${results.length} passed: ${series.market} ${series.symbol} ${formatTime(from)} → ${formatTime(to)}, seed ${seed}\n`);
        }
        if (failed.length > 0) throw lookaheadDetected(failed);
      });
    });
}

/** One line per checked time, naming the first differing record of a failure. */
export function formatLookaheadResult(result: LookaheadResult): string {
  const when = formatTime(result.t);
  if (result.difference !== undefined) return `FAIL ${when}: look-ahead: ${describeDifference(result.difference)}`;
  const p = result.perturbed;
  const vacuous = result.futureChanged ? '' : ' (nothing after t changed the run, so this proves little)';
  const halted = result.haltedAt === undefined ? '' : ` (trading halted at ${formatTime(result.haltedAt)}: decisions after it only say HALTED)`;
  return (
    `PASS ${when}: ${result.compared.toLocaleString('en-US')} records at or before t unchanged with ` +
    `${p.base.toLocaleString('en-US')} base, ${p.decision.toLocaleString('en-US')} decision, ${p.context.toLocaleString('en-US')} context candles and ${p.funding} funding rates after t perturbed${vacuous}${halted}`
  );
}

export function lookaheadDetected(failed: readonly LookaheadResult[]): Error {
  return operationalError('LOOKAHEAD_DETECTED', `records at or before t changed when only later data did, at ${failed.map((r) => formatTime(r.t)).join(', ')}`, {
    hint: 'something reads data that is not yet known at its time: see the FAIL lines for the first record that changed',
  });
}

/** The series to check: the flags', else the config's (synthetic data when the config's market has none, said so). */
async function chooseSeries(store: Store, config: XylenConfig, flags: LookaheadFlags): Promise<{ market: Market; symbol: string }> {
  const symbol = flags.symbol === undefined ? config.symbol : parseSymbol(flags.symbol);
  if (flags.market !== undefined) return { market: parseMarket(flags.market), symbol };
  return { market: await chooseMarket(store, config.market, symbol, 'checking'), symbol };
}

/** The range asked for, its missing ends filled in from the stored extent of the finest interval. */
async function period(store: Store, series: { market: Market; symbol: string }, range: { from?: number; to?: number }): Promise<{ from: number; to: number }> {
  if (range.from !== undefined && range.to !== undefined) return { from: range.from, to: range.to };
  const extent = await storedExtent(store, series);
  if (extent === undefined) {
    throw inputError('NO_DATA', `no ${series.market} ${series.symbol} candles stored in ${store.path}`, {
      where: '--market/--symbol',
      hint: 'see what is stored with `xylen data ls`; import with `xylen data import …`, or make synthetic data with `xylen data synth`',
    });
  }
  return { from: range.from ?? extent.from, to: range.to ?? extent.to };
}

/** `count` distinct decision-candle closes inside the period (fewer if it has fewer), oldest first. */
function randomDecisionTimes(inputs: ReplayInputs, count: number, seed: number): number[] {
  const ms = intervalMs(inputs.decisionInterval);
  const closes: number[] = [];
  for (let i = 0; i < inputs.decision.length; i++) {
    const close = inputs.decision.openTime[i]! + ms;
    if (close > inputs.from && close < inputs.to) closes.push(close);
  }
  const rng = new Rng(seed);
  // A partial Fisher–Yates shuffle draws without repeats.
  for (let k = 0; k < Math.min(count, closes.length); k++) {
    const j = rng.int(k, closes.length - 1);
    [closes[k], closes[j]] = [closes[j]!, closes[k]!];
  }
  return closes.slice(0, count).sort((a, b) => a - b);
}
