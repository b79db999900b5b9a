import type { Command } from 'commander';
import { storedExtent } from '../../data/index.ts';
import { formatTime, inputError } from '../../engine/index.ts';
import { defaultModelsDir } from '../../model-servers/registry/index.ts';
import { TRAINER_KINDS, type TrainerKind } from '../../model-servers/zoo/index.ts';
import type { RunMetrics } from '../../research/metrics/computeMetrics.ts';
import { getWalkforward, listWalkforwards, runWalkforward, type WalkforwardDetail } from '../../research/walkforward/index.ts';
import { chooseMarket } from '../chooseMarket.ts';
import { resolveConfig, resolveDbPath, withStore } from '../context.ts';
import { parseDuration, parseMarket, parseRange, parseSymbol } from '../flags.ts';
import { cellDay, cellPercent, cellRound, formatTable, printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface WalkforwardFlags {
  train: string;
  test: string;
  step?: string;
  embargo: string;
  from?: string;
  to?: string;
  symbol?: string;
  market?: string;
  kind?: string;
  modelsDir?: string;
  json?: boolean;
}

/** `xylen walkforward …` and `xylen walkforward ls|show`. */
export function registerWalkforwardCommands(program: Command): void {
  const walkforward = program
    .command('walkforward')
    .description('walk-forward analysis: retrain on each window, replay the next one out of sample, stitch the equity')
    .addHelpText('after', '\n`xylen walkforward --train 90d --test 30d …` runs `xylen walkforward run`: see `xylen walkforward run --help` for its options.');

  walkforward
    .command('run', { isDefault: true })
    .description('run a walk-forward analysis (the default: `xylen walkforward --train 90d --test 30d …`)')
    .requiredOption('--train <duration>', 'training window, e.g. 90d')
    .requiredOption('--test <duration>', 'out-of-sample window after each training window, e.g. 30d')
    .option('--step <duration>', 'how far each fold moves on (default: --test, so the test windows tile the period)')
    .option('--embargo <duration>', 'gap between the last training label and the test window', '1d')
    .option('--from <time>', 'start of the first training window (default: start of the stored data)')
    .option('--to <time>', 'end of the last test window, exclusive (default: end of the stored data)')
    .option('--symbol <symbol>', 'symbol (default: the config symbol)')
    .option('--market <market>', 'usdm | spot | synthetic (default: the config market)')
    .option('--kind <kind>', `train every model with this trainer (${TRAINER_KINDS.join(' or ')}; default: each zoo model's own)`)
    .option('--models-dir <dir>', 'where fold models are written (default: models/ beside the store)')
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Each fold retrains the four default models (\`xylen models init\`'s zoo) on its training window and replays the
following test window with them only, with the config's ensemble, risk and fees. Training labels are purged: the
training data ends one decision bar before the test start minus the embargo, so no label's horizon reaches the
embargo or the test window. Each test window starts flat from the previous one's final equity; the windows
stitch into one out-of-sample equity curve. Folds, their metrics and the curve are stored
(\`xylen walkforward show\`); fold models are registered as wf-…-f<fold>-<model>.

Example:
  xylen walkforward --train 90d --test 30d --from 2023-01-01 --to 2024-05-01 --kind gbdt`,
    )
    .action(async (flags: WalkforwardFlags, command: Command) => {
      const config = await resolveConfig(command);
      const symbol = flags.symbol ? parseSymbol(flags.symbol) : config.symbol;
      const kind = flags.kind === undefined ? undefined : trainerKind(flags.kind);
      const trainMs = parseDuration(flags.train, '--train');
      const testMs = parseDuration(flags.test, '--test');
      const stepMs = flags.step ? parseDuration(flags.step, '--step') : testMs;
      const embargoMs = flags.embargo === '0' ? 0 : parseDuration(flags.embargo, '--embargo');
      const modelsDir = flags.modelsDir ?? defaultModelsDir(await resolveDbPath(command));
      let progress: Progress | undefined;
      const outcome = await withStore(command, { readOnly: false }, async (store) => {
        const market = flags.market ? parseMarket(flags.market) : await chooseMarket(store, config.market, symbol, 'walking forward over');
        const range = parseRange(flags);
        const extent = range.from === undefined || range.to === undefined ? await storedExtent(store, { market, symbol }) : undefined;
        const from = range.from ?? extent?.from;
        const to = range.to ?? extent?.to;
        if (from === undefined || to === undefined) {
          throw inputError('NO_DATA', `no ${market} ${symbol} candles stored in ${store.path}`, { hint: 'import some (`xylen data import …`) or make synthetic ones (`xylen data synth --days 180`)' });
        }
        try {
          return await runWalkforward(store, {
            market,
            symbol,
            from,
            to,
            trainMs,
            testMs,
            stepMs,
            embargoMs,
            config,
            modelsDir,
            createdAt: new Date(),
            ...(kind ? { kind } : {}),
            onFold: (done, total) => {
              progress ??= new Progress({ label: 'walk-forward', total, unit: 'folds', quiet: flags.json === true });
              progress.update(done);
            },
          });
        } finally {
          progress?.stop();
        }
      });
      const detail = await withStore(command, { readOnly: true }, (store) => getWalkforward(store, outcome.wfId));
      if (flags.json) return printJson({ ...outcome, folds: detail.folds });
      process.stdout.write(`${describeWalkforward(detail)}\nfinished in ${(outcome.elapsedMs / 1000).toFixed(1)} s; \`xylen walkforward show ${outcome.wfId}\`\n`);
    });

  walkforward
    .command('ls')
    .description('list the stored walk-forward analyses, newest first')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const all = await withStore(command, { readOnly: true }, listWalkforwards);
      if (flags.json) return printJson(all);
      process.stdout.write(
        `${formatTable(
          all.map((w) => ({
            walkforward: w.wfId,
            status: w.status,
            symbol: `${w.market} ${w.symbol}`,
            range: `${cellDay(w.from)} → ${cellDay(w.to)}`,
            windows: `${w.trainMs / 86_400_000}d / ${w.testMs / 86_400_000}d`,
            'oos return %': cellPercent(w.metrics?.totalReturn),
            'oos sharpe': cellRound(w.metrics?.sharpe),
          })),
        )}\n`,
      );
    });

  walkforward
    .command('show')
    .description('one walk-forward: its folds, their out-of-sample metrics, and the stitched result')
    .argument('[id]', 'walk-forward id (default: the newest)')
    .option('--json', 'print it with the stitched equity as JSON')
    .action(async (id: string | undefined, flags: { json?: boolean }, command: Command) => {
      const detail = await withStore(command, { readOnly: true }, (store) => getWalkforward(store, id));
      if (flags.json) return printJson(detail);
      process.stdout.write(describeWalkforward(detail));
    });
}

function trainerKind(text: string): TrainerKind {
  if ((TRAINER_KINDS as readonly string[]).includes(text)) return text as TrainerKind;
  throw inputError('BAD_CHOICE', `"${text}" is not one of ${TRAINER_KINDS.join(', ')}`, { where: '--kind' });
}


function metricColumns(m: RunMetrics | null) {
  return { 'return %': cellPercent(m?.totalReturn), sharpe: cellRound(m?.sharpe), 'max dd %': cellPercent(m?.maxDrawdown), trades: m?.trades ?? null, 'b&h %': cellPercent(m?.buyAndHoldReturn) };
}

function describeWalkforward(wf: WalkforwardDetail): string {
  const rows = wf.folds.map((f) => ({
    fold: f.fold,
    train: `${cellDay(f.trainFrom)} → ${cellDay(f.trainTo)}`,
    test: `${cellDay(f.testFrom)} → ${cellDay(f.testTo)}`,
    ...metricColumns(f.metrics),
  }));
  return [
    `walk-forward ${wf.wfId} (${wf.status}): ${wf.market} ${wf.symbol} ${formatTime(wf.from)} → ${formatTime(wf.to)}`,
    `  train ${wf.trainMs / 86_400_000}d, test ${wf.testMs / 86_400_000}d, step ${wf.stepMs / 86_400_000}d, embargo ${wf.embargoMs / 3_600_000}h${wf.kind ? `, every model trained as ${wf.kind}` : ''}`,
    formatTable(rows),
    '',
    `out of sample, stitched: ${JSON.stringify(metricColumns(wf.metrics)).replace(/[{}"]/g, '').replace(/,/g, ', ').replace(/:/g, ' ')}`,
    ...(wf.message ? [`note: ${wf.message}`] : []),
    '',
  ].join('\n');
}
