import type { Command } from 'commander';
import { formatTime, inputError, parseInterval } from '../../engine/index.ts';
import { exportFormat, type TimeRange } from '../../data/query/index.ts';
import { exportFeatures, LABEL_KINDS, type FeatureExportResult, type LabelKind, type LabelSpec } from '../../research/features/index.ts';
import { resolveConfig, withStore } from '../context.ts';
import { parseInteger, parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface ExportFlags {
  symbol?: string;
  market?: string;
  from: string;
  to: string;
  out: string;
  decisionInterval?: string;
  contextInterval?: string;
  label: string;
  horizon: string;
  tp?: string;
  sl?: string;
  verticalSign?: boolean;
  json?: boolean;
}

/** Decision bars to the vertical barrier (or the forward return) unless --horizon says otherwise: one hour of 5m bars. */
const DEFAULT_HORIZON = '12';

export function registerFeaturesCommands(program: Command): void {
  const features = program.command('features').description('the feature matrix the models see: export it, with training labels, to train models elsewhere');
  features
    .command('export')
    .description('write the exact feature matrix of a replay for decisions in [from, to) to Parquet or CSV (opens the store read-only)')
    .requiredOption('--from <time>', 'first decision close, inclusive (YYYY-MM-DD, ISO time or Unix ms)')
    .requiredOption('--to <time>', 'end, exclusive')
    .requiredOption('--out <file>', 'output file; .parquet or .csv picks the format')
    .option('--symbol <symbol>', 'symbol (default: the config symbol)')
    .option('--market <market>', 'market of the candles (default: the config market)')
    .option('--decision-interval <interval>', 'decision interval (default: intervals.decision)')
    .option('--context-interval <interval>', 'context interval (default: intervals.context)')
    .option('--label <kind>', `labels to add: ${LABEL_KINDS.join(', ')}`, 'none')
    .option('--horizon <bars>', 'label horizon in decision bars', DEFAULT_HORIZON)
    .option('--tp <fraction>', 'triple-barrier take-profit as a fraction (default: risk.take_profit_pct)')
    .option('--sl <fraction>', 'triple-barrier stop-loss as a fraction (default: risk.stop_loss_pct)')
    .option('--vertical-sign', 'triple-barrier: label the vertical barrier by the sign of the return there instead of 0')
    .option('--json', 'print a summary as JSON (rows, columns, file, label counts)')
    .addHelpText(
      'after',
      `
Columns: time (decision candle close, Unix ms), time_utc, symbol, market, one per feature (NULL during
warm-up), then with --label: label, label_time (Unix ms when the label became known: use it to purge
overlapping rows in walk-forward), label_return (simple return to where the label resolved).
Candles and warm-up are the replay's own, so a model trained on the file sees what it sees in a replay.
Rows of market 'synthetic' say so in the market column.

Labels (the long view of each decision; they may read up to --horizon bars past --to):
  triple-barrier  +1 if close·(1+tp) is touched first, −1 if close·(1−sl) is, 0 at the vertical barrier
                  after --horizon bars; walked on the finest stored candles; a candle touching both counts
                  as the stop (adverse first, as the simulated broker fills); NULL where the data ends first
  forward-return  ln(close[t+horizon] / close[t]) on the decision candles; NULL past the data or across a gap

Examples:
  xylen features export --from 2024-01-01 --to 2024-04-01 --out q1.parquet
  xylen features export --symbol BTCUSDT --from 2023-01-01 --to 2024-01-01 --out train.parquet --label triple-barrier --horizon 24 --tp 0.01 --sl 0.005
  xylen features export --from 2024-01-01 --to 2024-01-08 --out week.csv --label forward-return --horizon 12 --json`,
    )
    .action(async (flags: ExportFlags, command: Command) => {
      const config = await resolveConfig(command);
      const { from, to } = parseRange(flags) as Required<TimeRange>; // both flags are required
      exportFormat(flags.out); // a bad extension is refused before any work
      const request = {
        market: flags.market === undefined ? config.market : parseMarket(flags.market),
        symbol: parseSymbol(flags.symbol ?? config.symbol),
        from,
        to,
        decisionInterval: parseInterval(flags.decisionInterval ?? config.intervals.decision, flags.decisionInterval ? '--decision-interval' : 'intervals.decision'),
        contextInterval: parseInterval(flags.contextInterval ?? config.intervals.context, flags.contextInterval ? '--context-interval' : 'intervals.context'),
        label: labelSpec(flags, config.risk),
        out: flags.out,
      };
      let progress: Progress | undefined;
      const result = await withStore(command, { readOnly: true }, (store) =>
        exportFeatures(store, {
          ...request,
          onProgress: (done, total) => {
            progress ??= new Progress({ label: 'features', total, unit: 'rows', quiet: flags.json === true });
            progress.update(done);
          },
        }),
      ).finally(() => progress?.stop());
      if (flags.json) printJson(result);
      else process.stdout.write(`${summary(result)}\n`);
    });
}

function labelSpec(flags: ExportFlags, risk: { take_profit_pct: number; stop_loss_pct: number }): LabelSpec {
  const kind = parseLabelKind(flags.label);
  if (kind === 'none') return { kind };
  const horizon = parseInteger(flags.horizon, '--horizon', { min: 1 });
  if (kind === 'forward-return') return { kind, horizon };
  return {
    kind,
    horizon,
    takeProfit: flags.tp === undefined ? risk.take_profit_pct : fraction(flags.tp, '--tp', 5),
    stopLoss: flags.sl === undefined ? risk.stop_loss_pct : fraction(flags.sl, '--sl', 0.5),
    signAtVertical: flags.verticalSign === true,
  };
}

function parseLabelKind(text: string): LabelKind {
  if ((LABEL_KINDS as readonly string[]).includes(text)) return text as LabelKind;
  throw inputError('BAD_LABEL', `unknown label kind "${text}"`, { where: '--label', hint: `use one of ${LABEL_KINDS.join(', ')}` });
}

/** A barrier width: a fraction of the price in (0, max], as the config's risk percentages are. */
function fraction(text: string, where: string, max: number): number {
  const value = Number(text);
  if (text.trim() !== '' && value > 0 && value <= max) return value;
  throw inputError('BAD_FRACTION', `must be a fraction of the price in (0, ${max}], not "${text}"`, { where, hint: 'e.g. 0.02 for 2 %' });
}

function summary(result: FeatureExportResult): string {
  const market = result.synthetic ? 'SYNTHETIC' : result.market;
  const context = result.contextInterval ? ` with ${result.contextInterval} context` : '';
  const lines = [
    `${market} ${result.symbol} ${result.decisionInterval} features${context}: ${result.rows.toLocaleString('en-US')} rows × ${result.columns.length} columns written to ${result.path} (${result.format})`,
    `decisions ${formatTime(result.firstTime)} … ${formatTime(result.lastTime)}; indicators warmed up from ${formatTime(result.warmupFrom)}`,
  ];
  const counts = result.labelCounts;
  if (counts) lines.push(`labels ${result.label}: up ${counts.up}, down ${counts.down}, neutral ${counts.neutral}, unknown ${counts.unknown}`);
  return lines.join('\n');
}
