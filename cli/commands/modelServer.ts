import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { inputError } from '../../engine/index.ts';
import { configSchema, type XylenConfig } from '../../config/index.ts';
import { loadModel, type ModelRuntime } from '../../model-servers/index.ts';
import { defaultModelsDir, latestVersion, listPendingRegistrations, loadRegisteredModel } from '../../model-servers/registry/index.ts';
import { makeOutputDir, Store } from '../../data/index.ts';
import { resolveConfig, resolveDbPath } from '../context.ts';
import { DEFAULT_BODY_LIMIT } from '../../model-servers/server/defaultBodyLimit.ts';
import { parseInteger } from '../flags.ts';

export interface ModelServerFlags {
  model: string;
  port: string;
  host: string;
  tokenEnv?: string;
  samples?: string;
  bodyLimit: string;
  /** Override the config's model_server block. */
  minSamples?: string;
  retrainWindow?: string;
  /** false (--no-retrain): store outcomes, never retrain. */
  retrain?: boolean;
  modelsDir?: string;
}

type ServerSettings = XylenConfig['model_server'];

export interface RunningModelServer {
  url: string;
  close(): Promise<void>;
}

/** Registers `xylen model-server`: serve one model over HTTP until SIGINT or SIGTERM. */
export function registerModelServer(program: Command): Command {
  return program
    .command('model-server')
    .description('serve one model over HTTP: POST /predict, POST /retrain, GET /health, GET /metrics (JSON logs on stdout)')
    .requiredOption('--model <id|path>', "a registered model id (its champion; id@version for another version), or a model file: .onnx, or XGBoost .json with a <name>.card.json sidecar")
    .option('--port <n>', 'port to listen on (0: any free port)', '8001')
    .option('--host <address>', 'address to bind; only this machine by default', '127.0.0.1')
    .option('--token-env <NAME>', 'require "Authorization: Bearer <token>" (token read from this environment variable) on every route but /health')
    .option('--samples <file.jsonl>', "the sample store /retrain appends to (default: ./model-samples/<model id>.jsonl)")
    .option('--body-limit <bytes>', 'largest request body; larger ones get 413', String(DEFAULT_BODY_LIMIT))
    .option('--min-samples <n>', 'retrain once this many outcomes are pending (default: model_server.min_samples, 50)')
    .option('--retrain-window <n>', 'a retrain learns from at most the latest this many outcomes (default: model_server.retrain_window, 10000)')
    .option('--no-retrain', 'store the outcomes posted to /retrain but never retrain')
    .option('--models-dir <dir>', 'where retrained versions are written (default: models/ beside the store)')
    .addHelpText(
      'after',
      `
Retraining: once --min-samples outcomes are pending, the server trains a new version in a worker thread from its
sample store (each outcome's features and label), writes <models-dir>/<id>-v<N>.onnx, swaps it in (the old file
stays as the backup) and registers it in the store (--db) as a candidate whose parent is the version it replaced.
When another process holds the store, the registration waits in <models-dir>/pending/ and is retried; /predict
never waits. GET /health shows the retrain and registration state.`,
    )
    .action(async (flags: ModelServerFlags, command: Command) => {
      const config = await resolveConfig(command);
      const server = await startModelServer(flags, () => resolveDbPath(command), config.model_server);
      await new Promise<void>((done) => {
        const stop = () => void server.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/**
 * Load the model, open its sample store and listen; the returned close undoes all three. `--model` is a file when
 * one exists at that path, else a registry id looked up in the store (opened read-only just for that, so the
 * long-running server never holds the store).
 */
export async function startModelServer(flags: ModelServerFlags, storePath?: () => Promise<string>, settings: ServerSettings = configSchema.parse({}).model_server): Promise<RunningModelServer> {
  const port = parseInteger(flags.port, '--port', { min: 0, max: 65_535 });
  const bodyLimit = parseInteger(flags.bodyLimit, '--body-limit', { min: 1_024, max: 1 << 30 });
  const minSamples = flags.minSamples === undefined ? settings.min_samples : parseInteger(flags.minSamples, '--min-samples', { min: 1, max: 1_000_000 });
  const window = flags.retrainWindow === undefined ? settings.retrain_window : parseInteger(flags.retrainWindow, '--retrain-window', { min: 10, max: 10_000_000 });
  const retrain = flags.retrain !== false && settings.retrain;
  const token = flags.tokenEnv === undefined ? undefined : process.env[flags.tokenEnv];
  if (flags.tokenEnv !== undefined && !token) {
    throw inputError('TOKEN_ENV_EMPTY', `environment variable ${flags.tokenEnv} is not set or empty`, {
      where: '--token-env',
      hint: `export ${flags.tokenEnv}=<a long random token> before starting the server`,
    });
  }
  // A --models-dir that cannot hold files fails now, not at the first retraining.
  if (flags.modelsDir !== undefined) makeOutputDir(flags.modelsDir, '--models-dir', 'MODELS');
  // Fastify, pino and prom-client load only for this command.
  const [{ createModelServer, RegistryWriter, Retrainer, SampleStore, ServedModel }, { pino }] = await Promise.all([import('../../model-servers/server/index.ts'), import('pino')]);
  const dbPath = storePath ? await storePath() : undefined;
  const loaded = existsSync(flags.model) || dbPath === undefined ? await loadFile(flags.model, dbPath) : await loadFromRegistry(flags.model, dbPath);
  const runtime = new ServedModel(loaded.runtime);
  const samples = await SampleStore.open(resolve(flags.samples ?? `model-samples/${runtime.card.id}.jsonl`)).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  const modelsDir = resolve(flags.modelsDir ?? (dbPath === undefined ? join(dirname(samples.path), 'models') : defaultModelsDir(dbPath)));
  const logger = pino({ level: 'info' });
  const registry = dbPath === undefined ? undefined : new RegistryWriter({ storePath: resolve(dbPath), modelsDir, logger });
  const retrainer = retrain ? new Retrainer({ model: runtime, samples, minSamples, window, modelsDir, logger, latestVersion: loaded.latest, ...(registry ? { registry } : {}) }) : undefined;
  const app = createModelServer({ runtime, samples, bodyLimit, logger, ...(token ? { token } : {}), ...(retrainer ? { retrainer } : {}), ...(registry ? { registry } : {}) });
  const close = async () => {
    await app.close();
    await retrainer?.close();
    await registry?.close();
    await samples.close();
    await runtime.close();
  };
  try {
    await app.listen({ host: flags.host, port });
  } catch (error) {
    await close();
    throw inputError('LISTEN_FAILED', `cannot listen on ${flags.host}:${port}: ${(error as Error).message}`, { where: '--port', hint: 'choose a free port, or --port 0 for any' });
  }
  const address = app.server.address();
  const url = `http://${flags.host}:${typeof address === 'object' && address ? address.port : port}`;
  const retrainNote = retrainer ? `retrains every ${minSamples} outcomes into ${modelsDir}` : 'retraining off';
  process.stderr.write(`model-server: ${runtime.card.id} v${runtime.card.version} (${runtime.card.kind}) on ${url}, samples in ${samples.path}, ${retrainNote}${token ? ', bearer token required' : ''}\n`);
  // Versions an earlier run could not register (the store was busy) are registered now, in the background.
  if (registry && (await listPendingRegistrations(modelsDir)).length > 0) void registry.flush();
  retrainer?.onSamples();
  return { url, close };
}

async function loadFromRegistry(model: string, storePath: string): Promise<{ runtime: ModelRuntime; latest: number }> {
  const match = /^([A-Za-z0-9_.-]+)(?:@(\d+))?$/.exec(model);
  if (!match) throw inputError('MODEL_NOT_FOUND', `no model file "${model}", and it is not a registry id (id or id@version)`, { where: '--model' });
  const store = await Store.open(storePath, { readOnly: true });
  try {
    const { runtime } = await loadRegisteredModel(store, match[1]!, match[2] === undefined ? undefined : Number(match[2]));
    return { runtime, latest: await latestVersion(store, match[1]!) };
  } finally {
    store.close();
  }
}

/** A model file, and the registry's latest version of its id when the store can be read now (else 0: the models dir still numbers new versions safely). */
async function loadFile(modelPath: string, storePath: string | undefined): Promise<{ runtime: ModelRuntime; latest: number }> {
  const runtime = await loadModel(modelPath);
  if (storePath === undefined || !existsSync(storePath)) return { runtime, latest: 0 };
  const store = await Store.open(storePath, { readOnly: true }).catch(() => undefined);
  if (!store) return { runtime, latest: 0 };
  try {
    return { runtime, latest: await latestVersion(store, runtime.card.id).catch(() => 0) };
  } finally {
    store.close();
  }
}
