import type { Command } from 'commander';
import { formatTime, inputError, parseInterval, type Interval } from '../../engine/index.ts';
import { makeOutputDir, type Market } from '../../data/index.ts';
import type { XylenConfig } from '../../config/index.ts';
import { defaultModelsDir } from '../../model-servers/registry/index.ts';
import { TRAIN_STEPS, TRAINER_KINDS, trainModel, type TrainModelResult } from '../../model-servers/zoo/index.ts';
import { resolveConfig, resolveDbPath, withStore } from '../context.ts';
import { parseInteger, parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { formatTable, printJson } from '../output.ts';
import { chooseMarket } from '../chooseMarket.ts';
import { Progress } from '../Progress.ts';

/** Flags shared by `model train` and `models init`: which series, and where model files go. */
export interface SeriesFlags {
  symbol?: string;
  market?: string;
  decisionInterval?: string;
  contextInterval?: string;
  modelsDir?: string;
  json?: boolean;
}

interface TrainFlags extends SeriesFlags {
  from: string;
  to: string;
  kind: string;
  features?: string;
  label: string;
  horizon: string;
  tp?: string;
  sl?: string;
  name?: string;
  rounds?: string;
  depth?: string;
  eta?: string;
}

const LABELS = ['forward-return', 'triple-barrier'] as const;

/** Adds the series flags to a command. */
export function withSeriesFlags(command: Command): Command {
  return command
    .option('--symbol <symbol>', 'symbol (default: the config symbol)')
    .option('--market <market>', 'market of the candles (default: the config market)')
    .option('--decision-interval <interval>', 'decision interval (default: intervals.decision)')
    .option('--context-interval <interval>', 'context interval (default: intervals.context)')
    .option('--models-dir <dir>', 'where model files are written (default: models/ beside the store)')
    .option('--json', 'print the result as JSON');
}

export interface Series {
  market: Market;
  symbol: string;
  decisionInterval: Interval;
  contextInterval: Interval;
  modelsDir: string;
}

export async function resolveSeries(flags: SeriesFlags, config: XylenConfig, command: Command): Promise<Series> {
  return {
    market: flags.market === undefined ? config.market : parseMarket(flags.market),
    symbol: parseSymbol(flags.symbol ?? config.symbol),
    decisionInterval: parseInterval(flags.decisionInterval ?? config.intervals.decision, flags.decisionInterval ? '--decision-interval' : 'intervals.decision'),
    contextInterval: parseInterval(flags.contextInterval ?? config.intervals.context, flags.contextInterval ? '--context-interval' : 'intervals.context'),
    modelsDir: await modelsDirOf(flags, command),
  };
}

/** The models dir, made when missing, so that a path that cannot hold files fails before any training. */
async function modelsDirOf(flags: SeriesFlags, command: Command): Promise<string> {
  const dir = flags.modelsDir ?? defaultModelsDir(await resolveDbPath(command));
  makeOutputDir(dir, flags.modelsDir === undefined ? 'the models dir beside the store' : '--models-dir', 'MODELS');
  return dir;
}

/** Registers `xylen model train` on the `model` command. */
export function registerModelTrain(model: Command): void {
  withSeriesFlags(
    model
      .command('train')
      .description("train a model on the store's data, save it as ONNX under the models dir and register it as a candidate")
      .requiredOption('--from <time>', 'first decision close, inclusive (YYYY-MM-DD, ISO time or Unix ms)')
      .requiredOption('--to <time>', 'end, exclusive; labels never look past it')
      .option('--kind <kind>', `trainer: ${TRAINER_KINDS.join(' or ')}`, 'gbdt')
      .option('--features <names>', 'comma-separated engine features (default: all for gbdt; for logreg all but the price-scale atr_14 and log_volume)')
      .option('--label <kind>', `what to predict: ${LABELS.join(' or ')}`, 'forward-return')
      .option('--horizon <bars>', 'label horizon in decision bars', '12')
      .option('--tp <fraction>', 'triple-barrier take-profit (default: risk.take_profit_pct); forward-return dead zone (default: the tercile of |return|)')
      .option('--sl <fraction>', 'triple-barrier stop-loss (default: risk.stop_loss_pct)')
      .option('--name <id>', 'model id in the registry (default: <kind>-<label>-h<horizon>)')
      .option('--rounds <n>', 'gbdt: boosting rounds at most (early stopping picks the best)', '200')
      .option('--depth <n>', 'gbdt: tree depth', '4')
      .option('--eta <rate>', 'gbdt: learning rate', '0.1'),
  )
    .addHelpText(
      'after',
      `
Features and labels are computed exactly as a replay computes them. Labelled decisions in [from, to) are split
in time order: 70 % training, 15 % validation (gbdt early stopping), 15 % test; each split starts once every
label of the one before is known. The card's metrics are the test split's (logLoss, accuracy), with the
validation figures and baselineLogLoss (always predicting the training class shares) beside them.
Classes: short, hold, long. The file is <models-dir>/<id>-v<version>.onnx with <id>-v<version>.card.json;
the version is the id's latest + 1 and its parent that latest. Promote it with \`xylen models promote\`.

Examples:
  xylen model train --from 2023-01-01 --to 2024-01-01 --kind gbdt
  xylen model train --from 2023-01-01 --to 2024-01-01 --kind logreg --features ret_1,ret_12,rsi_14 --horizon 24 --name momentum
  xylen model train --from 2023-06-01 --to 2024-01-01 --label triple-barrier --horizon 24 --tp 0.008 --sl 0.008`,
    )
    .action(async (flags: TrainFlags, command: Command) => {
      const config = await resolveConfig(command);
      const { from, to } = parseRange(flags) as { from: number; to: number }; // both flags are required
      const kind = oneOf(flags.kind, TRAINER_KINDS, '--kind');
      const labelKind = oneOf(flags.label, LABELS, '--label');
      const horizon = parseInteger(flags.horizon, '--horizon', { min: 1 });
      const barrier = (text: string | undefined, where: string, fallback: number | undefined) => (text === undefined ? fallback : fraction(text, where));
      const label =
        labelKind === 'triple-barrier'
          ? { kind: labelKind, horizon, tp: barrier(flags.tp, '--tp', config.risk.take_profit_pct), sl: barrier(flags.sl, '--sl', config.risk.stop_loss_pct) }
          : { kind: labelKind, horizon, tp: barrier(flags.tp, '--tp', undefined) };
      const request = {
        ...(await resolveSeries(flags, config, command)),
        from,
        to,
        kind,
        id: modelId(flags.name ?? `${kind}-${labelKind === 'forward-return' ? 'fwd' : 'tb'}-h${horizon}`),
        label,
        ...(flags.features === undefined ? {} : { features: flags.features.split(',').map((f) => f.trim()) }),
        rounds: parseInteger(flags.rounds ?? '200', '--rounds', { min: 1 }),
        maxDepth: parseInteger(flags.depth ?? '4', '--depth', { min: 1, max: 16 }),
        eta: fraction(flags.eta ?? '0.1', '--eta', 1),
        createdAt: new Date().toISOString(),
      };
      const progress = new Progress({ label: `train ${request.id}`, total: TRAIN_STEPS, unit: 'steps', quiet: flags.json === true });
      const result = await withStore(command, { readOnly: false }, async (store) => {
        const market = flags.market === undefined ? await chooseMarket(store, request.market, request.symbol, 'training on') : request.market;
        return trainModel(store, { ...request, market, onStep: (done) => progress.update(done) });
      }).finally(() => progress.stop());
      if (flags.json) printJson(result);
      else process.stdout.write(`${describeTrained(result)}\n`);
    });
}

/** A trained model in a few lines: what, where, and its held-out figures. */
export function describeTrained({ record, card }: TrainModelResult): string {
  const m = card.training.metrics;
  const round = (x: number | undefined) => (x === undefined ? '' : Number(x.toFixed(4)));
  const table = formatTable(
    [
      { split: 'test', rows: m['testRows'], logLoss: round(m.logLoss), accuracy: round(m.accuracy), baselineLogLoss: round(m['baselineLogLoss']) },
      { split: 'validation', rows: m['validationRows'], logLoss: round(m['validationLogLoss']), accuracy: round(m['validationAccuracy']), baselineLogLoss: '' },
    ],
  );
  return [
    `${card.id} v${card.version} (${card.kind}, ${record.status}${card.parent === undefined ? '' : `, parent v${card.parent}`}): ${record.path}`,
    `trained on ${card.training.rows.toLocaleString('en-US')} decisions ${formatTime(card.training.from)} … ${formatTime(card.training.to)}; label ${card.label.kind} h${card.label.horizon} (tp ${round(card.label.tp)}, sl ${round(card.label.sl)}); ${card.features.length} features`,
    table,
  ].join('\n');
}

function oneOf<T extends string>(text: string, allowed: readonly T[], where: string): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw inputError('BAD_CHOICE', `"${text}" is not one of ${allowed.join(', ')}`, { where });
}

function fraction(text: string, where: string, max = 1): number {
  const value = Number(text);
  if (text.trim() !== '' && value > 0 && value <= max) return value;
  throw inputError('BAD_FRACTION', `must be a number in (0, ${max}], not "${text}"`, { where, hint: 'e.g. 0.01 for 1 %' });
}

function modelId(text: string): string {
  if (/^[A-Za-z0-9_.-]{1,64}$/.test(text)) return text;
  throw inputError('BAD_MODEL_ID', `"${text}" is not a model id`, { where: '--name', hint: 'letters, digits, "_", "." or "-", at most 64 (it names the config model and the file)' });
}
