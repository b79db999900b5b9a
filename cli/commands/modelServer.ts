import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { inputError } from '../../engine/index.ts';
import { loadModel, type ModelRuntime } from '../../model-servers/index.ts';
import { loadRegisteredModel } from '../../model-servers/registry/index.ts';
import { Store } from '../../data/index.ts';
import { resolveDbPath } from '../context.ts';
import { createModelServer, DEFAULT_BODY_LIMIT, SampleStore } from '../../model-servers/server/index.ts';
import { parseInteger } from '../flags.ts';

export interface ModelServerFlags {
  model: string;
  port: string;
  host: string;
  tokenEnv?: string;
  samples?: string;
  bodyLimit: string;
}

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
    .action(async (flags: ModelServerFlags, command: Command) => {
      const server = await startModelServer(flags, () => resolveDbPath(command));
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
export async function startModelServer(flags: ModelServerFlags, storePath?: () => Promise<string>): Promise<RunningModelServer> {
  const port = parseInteger(flags.port, '--port', { min: 0, max: 65_535 });
  const bodyLimit = parseInteger(flags.bodyLimit, '--body-limit', { min: 1_024, max: 1 << 30 });
  const token = flags.tokenEnv === undefined ? undefined : process.env[flags.tokenEnv];
  if (flags.tokenEnv !== undefined && !token) {
    throw inputError('TOKEN_ENV_EMPTY', `environment variable ${flags.tokenEnv} is not set or empty`, {
      where: '--token-env',
      hint: `export ${flags.tokenEnv}=<a long random token> before starting the server`,
    });
  }
  const runtime = existsSync(flags.model) || !storePath ? await loadModel(flags.model) : await loadFromRegistry(flags.model, await storePath());
  const samples = await SampleStore.open(resolve(flags.samples ?? `model-samples/${runtime.card.id}.jsonl`)).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  const app = createModelServer({ runtime, samples, bodyLimit, ...(token ? { token } : {}) });
  const close = async () => {
    await app.close();
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
  process.stderr.write(`model-server: ${runtime.card.id} v${runtime.card.version} (${runtime.card.kind}) on ${url}, samples in ${samples.path}${token ? ', bearer token required' : ''}\n`);
  return { url, close };
}

async function loadFromRegistry(model: string, storePath: string): Promise<ModelRuntime> {
  const match = /^([A-Za-z0-9_.-]+)(?:@(\d+))?$/.exec(model);
  if (!match) throw inputError('MODEL_NOT_FOUND', `no model file "${model}", and it is not a registry id (id or id@version)`, { where: '--model' });
  const store = await Store.open(storePath, { readOnly: true });
  try {
    return (await loadRegisteredModel(store, match[1]!, match[2] === undefined ? undefined : Number(match[2]))).runtime;
  } finally {
    store.close();
  }
}
