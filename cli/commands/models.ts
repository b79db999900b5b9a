import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import { isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { formatTime } from '../../engine/index.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/index.ts';
import { defaultModelsDir, getModel, listModels, listPendingRegistrations, modelEvents, promote, registerPending, rollback, type ModelRecord } from '../../model-servers/registry/index.ts';
import type { Store } from '../../data/index.ts';
import { initZoo } from '../../model-servers/zoo/index.ts';
import { isFoldModelId } from '../../research/walkforward/foldModelId.ts';
import { globalOptions, resolveConfig, resolveDbPath, withStore } from '../context.ts';
import { parseInteger, parseRange } from '../flags.ts';
import { formatTable, printJson } from '../output.ts';
import { chooseMarket } from '../chooseMarket.ts';
import { Progress } from '../Progress.ts';
import { describeTrained, resolveSeries, withSeriesFlags, type SeriesFlags } from './modelTrain.ts';

interface InitFlags extends SeriesFlags {
  from?: string;
  to?: string;
  writeConfig?: boolean;
}

/** Registers `xylen models ls|show|promote|rollback|sync|init`: the model registry. */
export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('the model registry: trained versions, their metrics and lineage, champions');
  models
    .command('ls')
    .description('list registered model versions (all ids, or one)')
    .argument('[id]', 'only this model id')
    .option('--all', 'also the models walk-forward folds trained (`xylen walkforward show` lists each fold\'s)')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, flags: { json?: boolean; all?: boolean }, command: Command) => {
      const every = await withStore(command, { readOnly: true }, (store) => listModels(store, id));
      const records = flags.all || id !== undefined ? every : every.filter((r) => !isFoldModelId(r.modelId));
      const hidden = new Set(every.filter((r) => !records.includes(r)).map((r) => r.modelId)).size;
      if (hidden > 0 && !flags.json) process.stderr.write(`${hidden} model(s) trained by walk-forward folds not listed: --all lists them\n`);
      const queued = (await listPendingRegistrations(defaultModelsDir(await resolveDbPath(command)))).filter((p) => id === undefined || p.entry.card.id === id);
      if (queued.length > 0) {
        process.stderr.write(`${queued.length} retrained version(s) wait to be registered (${queued.map((p) => `${p.entry.card.id} v${p.entry.card.version}`).join(', ')}): run \`xylen models sync\`\n`);
      }
      if (flags.json) return printJson(records);
      process.stdout.write(`${formatTable(records.map(summaryRow))}\n`);
    });
  models
    .command('show')
    .description('one version in full (default: the champion, else the latest) with its promotion history')
    .argument('<id>', 'model id')
    .option('--version <n>', 'which version')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { version?: string; json?: boolean }, command: Command) => {
      const version = flags.version === undefined ? undefined : parseInteger(flags.version, '--version', { min: 1 });
      const shown = await withStore(command, { readOnly: true }, async (store) => ({ ...(await getModel(store, id, version)), events: await modelEvents(store, id) }));
      if (flags.json) return printJson(shown);
      const { events, ...record } = shown;
      const lines = Object.entries(record).map(([key, value]) => `${key.padEnd(16)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
      const history = events.map((e) => `  ${e.at} ${e.event} → v${e.version}${e.previousVersion === null ? '' : ` (was v${e.previousVersion})`}${e.reason ? `: ${e.reason}` : ''}`);
      process.stdout.write(`${[...lines, 'events', ...(history.length > 0 ? history : ['  (none)'])].join('\n')}\n`);
    });
  models
    .command('promote')
    .description('make a version the champion of its id (the old champion is retired)')
    .argument('<id>', 'model id')
    .argument('<version>', 'version to promote')
    .option('--reason <text>', 'why, for the log')
    .option('--json', 'print JSON')
    .action(async (id: string, versionText: string, flags: { reason?: string; json?: boolean }, command: Command) => {
      const version = parseInteger(versionText, 'VERSION', { min: 1 });
      const change = await withRegistry(command, (store) => promote(store, id, version, flags.reason));
      if (flags.json) return printJson(change);
      process.stdout.write(`${id}: v${change.champion} is the champion${change.previous === null ? '' : ` (v${change.previous} retired)`}\n`);
    });
  models
    .command('rollback')
    .description('bring back the champion the current one replaced (the current one is retired)')
    .argument('<id>', 'model id')
    .option('--reason <text>', 'why, for the log')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { reason?: string; json?: boolean }, command: Command) => {
      const change = await withRegistry(command, (store) => rollback(store, id, flags.reason));
      if (flags.json) return printJson(change);
      process.stdout.write(`${id}: rolled back to v${change.champion} (v${change.previous} retired)\n`);
    });
  models
    .command('sync')
    .description('register the versions model servers retrained while the store was busy (queued in <models-dir>/pending/)')
    .option('--models-dir <dir>', 'the models dir (default: models/ beside the store)')
    .option('--json', 'print JSON')
    .action(async (flags: { modelsDir?: string; json?: boolean }, command: Command) => {
      const modelsDir = flags.modelsDir ?? defaultModelsDir(await resolveDbPath(command));
      const outcome = await withStore(command, { readOnly: false }, (store) => registerPending(store, modelsDir));
      if (flags.json) return printJson(outcome);
      const lines = [
        ...outcome.registered.map((r) => `registered ${r.modelId} v${r.version} (parent ${r.parentVersion === null ? 'none' : `v${r.parentVersion}`})`),
        ...outcome.refused.map((r) => `left queued ${r.file}: ${r.reason}`),
      ];
      process.stdout.write(`${lines.length > 0 ? lines.join('\n') : 'nothing queued'}\n`);
      if (outcome.refused.length > 0) process.exitCode = 1;
    });
  registerInit(models);
}

/** The store open for writing, with the model servers' queued versions registered first (so promote can name them). */
async function withRegistry<T>(command: Command, work: (store: Store) => Promise<T>): Promise<T> {
  const modelsDir = defaultModelsDir(await resolveDbPath(command));
  return withStore(command, { readOnly: false }, async (store) => {
    await registerPending(store, modelsDir);
    return work(store);
  });
}

function registerInit(models: Command): void {
  withSeriesFlags(
    models
      .command('init')
      .description("train the four default models on the store's data, register them as champions and print the config block that uses them")
      .option('--from <time>', 'first decision (default: the first stored candle)')
      .option('--to <time>', 'end, exclusive (default: the last stored candle)')
      .option('--write-config', "put the models into the config file's models list (replacing entries of the same name; --config or ./xylen.yaml)"),
  )
    .addHelpText(
      'after',
      `
The zoo: trend-gbdt (trend features, 12-bar forward return), reversion-gbdt (mean-reversion features, 48 bars),
momentum-logreg (momentum features, 24 bars), all-gbdt-tb (every feature, triple-barrier labels over 24 bars with
barriers at a typical move). Each run adds a new version of each and makes it the champion.`,
    )
    .action(async (flags: InitFlags, command: Command) => {
      const config = await resolveConfig(command);
      const range = parseRange(flags);
      const series = await resolveSeries(flags, config, command);
      const progress = new Progress({ label: 'models init', total: 4, unit: 'models', quiet: flags.json === true });
      const results = await withStore(command, { readOnly: false }, async (store) => {
        const market = flags.market === undefined ? await chooseMarket(store, series.market, series.symbol, 'training on') : series.market;
        return initZoo(store, { ...series, market, ...range, createdAt: new Date().toISOString(), onModel: (done) => progress.update(done) });
      }).finally(() => progress.stop());
      const entries = results.map(({ card, record }) => ({ name: card.id, kind: 'onnx', path: displayPath(record.path) }));
      const configPath = globalOptions(command).config ?? DEFAULT_CONFIG_PATH;
      if (flags.writeConfig) await writeConfigModels(configPath, entries);
      if (flags.json) return printJson({ models: results, config: { models: entries }, configWritten: flags.writeConfig ? configPath : null });
      const block = ['models:', ...entries.flatMap((e) => [`  - name: ${e.name}`, `    kind: ${e.kind}`, `    path: ${e.path}`])].join('\n');
      process.stdout.write(
        `${results.map(describeTrained).join('\n\n')}\n\n` +
          (flags.writeConfig ? `${configPath}: models list updated with\n${block}\n` : `Add to xylen.yaml (or run again with --write-config):\n${block}\n`),
      );
    });
}

function summaryRow(m: ModelRecord): Record<string, unknown> {
  const metric = (name: string) => (m.trainingMetrics?.[name] === undefined ? null : Number(m.trainingMetrics[name].toFixed(4)));
  return {
    id: m.modelId,
    version: m.version,
    parent: m.parentVersion,
    kind: m.kind,
    status: m.status,
    features: m.features.length,
    logLoss: metric('logLoss'),
    baseline: metric('baselineLogLoss'),
    accuracy: metric('accuracy'),
    trained: m.trainingFrom === null || m.trainingTo === null ? '' : `${formatTime(m.trainingFrom).slice(0, 10)} … ${formatTime(m.trainingTo).slice(0, 10)}`,
    created: m.createdAt.slice(0, 19),
  };
}

/** A path relative to the working directory when it is inside it (what a config in the project would say). */
function displayPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/**
 * Replace the config's models of these names and append the others, keeping the rest of the file (comments
 * included). The new text must load as a valid config before it replaces the file.
 */
async function writeConfigModels(path: string, entries: { name: string; kind: string; path: string }[]): Promise<void> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const doc = parseDocument(text);
  const existing = doc.get('models');
  const list = isSeq(existing) ? existing : new YAMLSeq();
  for (const entry of entries) {
    const at = list.items.findIndex((item) => isMap(item) && item.get('name') === entry.name);
    const node = doc.createNode(entry);
    if (at >= 0) list.items[at] = node;
    else list.items.push(node);
  }
  doc.set('models', list);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, doc.toString());
  try {
    await loadConfig(temporary, { required: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
