import { spawn } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { XylenError } from '../../engine/index.ts';
import { getModel, promote, registerModel } from '../../model-servers/registry/index.ts';
import { REPO_ROOT, SHARED_MODELS } from '../../test/paths.ts';
import { startModelServer, type RunningModelServer } from './modelServer.ts';

const MODEL = join(SHARED_MODELS, 'torch_mlp.onnx');
const flags = { model: MODEL, port: '0', host: '127.0.0.1', bodyLimit: '1048576' };
const FIXTURE_FEATURES = ['ret_1', 'ret_12', 'rsi_14', 'vol_z', 'ema_9_dist', 'ema_21_dist', 'macd_hist', 'bb_pctb', 'bb_width', 'atr_pct'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-model-server-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function failureOf(started: Promise<RunningModelServer>): Promise<XylenError> {
  const outcome = await started.then(
    async (server) => void (await server.close()),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(XylenError);
  return outcome as XylenError;
}

// cli/main.ts registers the command; this script does the same with the command alone, in a real process.
const SCRIPT = `
import { Command } from 'commander';
import { registerModelServer } from './cli/commands/modelServer.ts';
const program = new Command('xylen');
registerModelServer(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });
`;

describe('xylen model-server', () => {
  it('serves the model in its own process with a token, logs JSON without the token, and exits 0 on SIGTERM releasing its sample store', async () => {
    const samples = join(dir, 'cli.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, 'model-server', '--model', MODEL, '--port', '0', '--token-env', 'XYLEN_TEST_TOKEN', '--samples', samples], {
      cwd: REPO_ROOT,
      env: { ...process.env, XYLEN_TEST_TOKEN: 'cli-secret-42' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const url = await new Promise<string>((found, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) found(match[1]!);
      });
      void exited.then(() => fail(new Error(`exited before listening: ${stderr}`)));
    });
    try {
      expect(stderr).toContain('torch_mlp v1 (onnx)');
      expect(stderr).toContain('bearer token required');
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const features = Object.fromEntries(['ret_1', 'ret_12', 'rsi_14', 'vol_z', 'ema_9_dist', 'ema_21_dist', 'macd_hist', 'bb_pctb', 'bb_width', 'atr_pct'].map((f) => [f, 0.5]));
      const post = (headers: Record<string, string>) => fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ features }) });
      expect((await post({})).status).toBe(401);
      const answer = await post({ authorization: 'Bearer cli-secret-42' });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { model: { id: string } }).model.id).toBe('torch_mlp');
      await access(`${samples}.lock`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    await expect(access(`${samples}.lock`)).rejects.toThrow();
    expect(stdout).toContain('"level":30'); // pino JSON lines
    expect(stdout + stderr).not.toContain('cli-secret-42');
  });

  it('bad flags are input errors naming the flag', async () => {
    const errorOf = (extra: Partial<typeof flags> & { tokenEnv?: string; modelsDir?: string }) => failureOf(startModelServer({ ...flags, samples: join(dir, 'x.jsonl'), ...extra }));
    const port = await errorOf({ port: '70000' });
    expect([port.where, port.exitCode]).toEqual(['--port', 2]);
    const token = await errorOf({ tokenEnv: 'XYLEN_SURELY_UNSET_VAR' });
    expect([token.where, token.exitCode, token.code]).toEqual(['--token-env', 2, 'TOKEN_ENV_EMPTY']);
    const model = await errorOf({ model: join(dir, 'model.bin') });
    expect([model.code, model.exitCode]).toEqual(['MODEL_FORMAT_UNKNOWN', 2]);
    await writeFile(join(dir, 'a-file'), 'not a folder');
    const modelsDir = await errorOf({ modelsDir: join(dir, 'a-file') });
    expect([modelsDir.where, modelsDir.exitCode, modelsDir.code]).toEqual(['--models-dir', 2, 'MODELS_DIR_IS_FILE']);
  });

  it('a port in use is an input error, and the sample store is released for the next try', async () => {
    const first = await startModelServer({ ...flags, samples: join(dir, 'a.jsonl') });
    try {
      const port = new URL(first.url).port;
      const error = await failureOf(startModelServer({ ...flags, port, samples: join(dir, 'b.jsonl') }));
      expect([error.code, error.where]).toEqual(['LISTEN_FAILED', '--port']);
      await expect(readFile(join(dir, 'b.jsonl.lock'))).rejects.toThrow();
    } finally {
      await first.close();
    }
  });

  it('serves a registered model by id (its champion, or id@version), checking the file, and names the registry on a miss', async () => {
    const dbPath = join(dir, 'registry.duckdb');
    const modelPath = join(dir, 'mlp-v1.onnx');
    await copyFile(MODEL, modelPath);
    const store = await Store.open(dbPath);
    try {
      const card = { id: 'mlp', version: 1, kind: 'onnx' as const, features: FIXTURE_FEATURES, classes: ['short', 'hold', 'long'] as ('short' | 'hold' | 'long')[] };
      await registerModel(store, card, modelPath);
      await promote(store, 'mlp', 1, 'test');
    } finally {
      store.close();
    }
    for (const model of ['mlp', 'mlp@1']) {
      const server = await startModelServer({ ...flags, model, samples: join(dir, `${model.replace('@', '-')}.jsonl`) }, async () => dbPath);
      try {
        const health = (await (await fetch(`${server.url}/health`)).json()) as { model: { id: string; version: number } };
        expect(health.model).toMatchObject({ id: 'mlp', version: 1 });
      } finally {
        await server.close();
      }
    }
    const missing = await failureOf(startModelServer({ ...flags, model: 'nosuch', samples: join(dir, 'x.jsonl') }, async () => dbPath));
    expect(missing.code).toBe('MODEL_NOT_REGISTERED');
    expect(missing.hint).toContain('mlp');
  });

  it('in its own process retrains a registered model from outcomes posted to /retrain, serves the new version and registers it with its parent', async () => {
    const dbPath = join(dir, 'retrain.duckdb');
    const modelsDir = join(dir, 'retrain-models');
    await mkdir(modelsDir, { recursive: true });
    const modelPath = join(modelsDir, 'mlp-v1.onnx');
    await copyFile(MODEL, modelPath);
    const store = await Store.open(dbPath);
    try {
      await registerModel(store, { id: 'mlp', version: 1, kind: 'onnx', features: FIXTURE_FEATURES, classes: ['short', 'hold', 'long'] }, modelPath);
      await promote(store, 'mlp', 1, 'test');
    } finally {
      store.close();
    }
    const args = ['model-server', '--model', 'mlp', '--port', '0', '--samples', join(dir, 'retrain.jsonl'), '--min-samples', '40', '--models-dir', modelsDir];
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, ...args], { cwd: REPO_ROOT, env: { ...process.env, XYLEN_DB: dbPath } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const url = await new Promise<string>((found, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) found(match[1]!);
      });
      void exited.then(() => fail(new Error(`exited before listening: ${stderr}`)));
    });
    try {
      expect(stderr).toContain('retrains every 40 outcomes');
      const rows = (await readFile(join(SHARED_MODELS, 'torch_mlp.inputs.csv'), 'utf8')).trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
      const labels = ['short', 'hold', 'long'] as const;
      const outcomes = rows.slice(0, 40).map((row, i) => ({
        ts: 1_700_000_000_000 + i * 300_000,
        row: i,
        side: 'long',
        entryPrice: 100,
        exitPrice: 101,
        pnl: 0.01,
        // A label the features tell: the sign of ret_1, with a dead zone.
        label: labels[row[0]! > 0.3 ? 2 : row[0]! < -0.3 ? 0 : 1],
        features: Object.fromEntries(FIXTURE_FEATURES.map((f, c) => [f, row[c]!])),
      }));
      const posted = await fetch(`${url}/retrain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes }) });
      expect(await posted.json()).toMatchObject({ accepted: 40, pending: 40, retraining: true });
      let health: Record<string, any> = {};
      for (let i = 0; i < 600 && !(health['registry']?.registered === 1); i++) {
        await new Promise((done) => setTimeout(done, 50));
        health = (await (await fetch(`${url}/health`)).json()) as Record<string, any>;
      }
      expect(health['model']).toMatchObject({ id: 'mlp', version: 2, parent: 1, kind: 'gbdt' });
      expect(health['retrain'].last).toMatchObject({ ok: true, fromVersion: 1, version: 2 });
      expect(health['registry']).toMatchObject({ pending: 0, registered: 1, lastError: null });
      const predicted = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: outcomes[0]!.features }) });
      expect(((await predicted.json()) as { model: unknown }).model).toEqual({ id: 'mlp', version: 2 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('retrained model swapped in');
    const reopened = await Store.open(dbPath, { readOnly: true });
    try {
      const v2 = await getModel(reopened, 'mlp', 2);
      expect(v2).toMatchObject({ parentVersion: 1, status: 'candidate', kind: 'gbdt', path: join(modelsDir, 'mlp-v2.onnx') });
      expect((await getModel(reopened, 'mlp')).version).toBe(1); // the champion stays until someone promotes v2
    } finally {
      reopened.close();
    }
  });
});
