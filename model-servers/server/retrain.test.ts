import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { REPO_ROOT } from '../../test/paths.ts';
import { fileSha256, getModel, listModels, loadRegisteredModel, modelFileName, promote, registerModel } from '../registry/index.ts';
import { btcDataset } from '../train/test/btcDataset.ts';
import { saveOnnx, trainGbdt, type TrainedModelCard } from '../train/index.ts';
import { createModelServer, RegistryWriter, Retrainer, SampleStore, ServedModel, type RetrainerOptions } from './index.ts';

const CLASSES = ['short', 'hold', 'long'] as const;
const ID = 'trend';

let dir: string;
let storePath: string;
let modelsDir: string;
let data: ReturnType<typeof btcDataset>;
let features: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-retrain-'));
  storePath = join(dir, 'store.duckdb');
  modelsDir = join(dir, 'models');
  data = btcDataset();
  features = data.names.slice(0, 10) as string[];
  // v1: a small GBDT on real BTCUSDT 5m features (the first 10 of the engine's), registered as champion.
  const n = 3000;
  const X = new Float32Array(n * features.length);
  for (let r = 0; r < n; r++) for (let c = 0; c < features.length; c++) X[r * features.length + c] = data.train.X[r * data.width + c]!;
  const model = trainGbdt(X, data.train.y.subarray(0, n), n, features.length, { classes: 3, rounds: 20, maxDepth: 3, eta: 0.1 });
  const card: TrainedModelCard = {
    id: ID,
    version: 1,
    kind: 'gbdt',
    features,
    classes: [...CLASSES],
    createdAt: '2024-05-01T00:00:00.000Z',
    training: { from: 1, to: 2, rows: n, metrics: { logLoss: 1, accuracy: 0.4 } },
    label: { kind: 'forward-return', horizon: 12, tp: 0.002, sl: 0.002 },
  };
  const path = join(modelsDir, modelFileName(ID, 1));
  await mkdir(modelsDir, { recursive: true });
  await saveOnnx(model, path, card);
  const store = await Store.open(storePath);
  try {
    await registerModel(store, card, path);
    await promote(store, ID, 1, 'test');
  } finally {
    store.close();
  }
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

/** The `i`-th real test row as a posted outcome: the engine's whole feature row by name, and its label. */
function outcome(i: number, label?: (typeof CLASSES)[number]) {
  const row = data.test.X.subarray(i * data.width, (i + 1) * data.width);
  const named = Object.fromEntries(data.names.map((name, c) => [name, row[c]!]));
  return { ts: 1_700_000_000_000 + i * 300_000, row: i, side: 'long', entryPrice: 100, exitPrice: 101, pnl: 0.01, label: label ?? CLASSES[data.test.y[i]!]!, features: named };
}

/** The registered champion served over real HTTP on loopback, retraining in a worker thread. */
async function serve(name: string, retrain: Omit<RetrainerOptions, 'model' | 'samples' | 'modelsDir' | 'registry'>, retryMs = { first: 100, max: 400 }) {
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) }));
  const store = await Store.open(storePath, { readOnly: true });
  const { runtime } = await loadRegisteredModel(store, ID).finally(() => store.close());
  const model = new ServedModel(runtime);
  const samples = await SampleStore.open(join(dir, `${name}.jsonl`));
  const registry = new RegistryWriter({ storePath, modelsDir, logger, retryMs });
  const retrainer = new Retrainer({ model, samples, modelsDir, registry, logger, ...retrain });
  const app: FastifyInstance = createModelServer({ runtime: model, samples, retrainer, registry, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };
  const get = async (path: string) => (await fetch(base + path)).text();
  const health = async () => JSON.parse(await get('/health')) as Record<string, any>;
  const snapshot = outcome(0).features;
  const predict = async () => {
    const t0 = performance.now();
    const answer = await post('/predict', { features: snapshot });
    return { ms: performance.now() - t0, at: Date.now(), status: answer.status, version: answer.json['model']?.version as number };
  };
  const close = async () => {
    await app.close();
    await retrainer.close();
    await registry.close();
    await samples.close();
    await model.close();
  };
  return { base, post, get, health, predict, retrainer, registry, logs, close };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, pauseMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, pauseMs));
  }
}

describe('retraining inside the model server', () => {
  it('retrains once min_samples outcomes are pending, keeps /predict answering during it, swaps the new version in once and registers it with its parent', async () => {
    const samples = 3000;
    // Enough rows and rounds that the training takes a while (seconds), so that a blocked /predict would show.
    const server = await serve('main', { minSamples: samples, gbdt: { rounds: 150, maxDepth: 6, earlyStoppingRounds: 150 } });
    try {
      for (let chunk = 0; chunk < 3; chunk++) {
        const reply = await server.post('/retrain', { outcomes: Array.from({ length: 1000 }, (_, i) => outcome(chunk * 1000 + i)) });
        expect(reply.status).toBe(200);
        expect(reply.json).toMatchObject({ accepted: 1000, pending: (chunk + 1) * 1000, model: { id: ID, version: 1 }, retraining: chunk === 2 });
      }
      const calls: Awaited<ReturnType<typeof server.predict>>[] = [];
      await until("the retrained model to answer", async () => {
        const call = await server.predict();
        calls.push(call);
        return call.version === 2 ? true : undefined;
      }, 60_000, 0);
      await server.retrainer.idle();
      const health = await server.health();
      const last = health['retrain'].last;
      expect(last).toMatchObject({ ok: true, fromVersion: 1, version: 2, error: null });
      expect(last.samples).toMatchObject({ read: samples, used: samples });
      expect(health['model']).toMatchObject({ id: ID, version: 2, parent: 1, kind: 'gbdt' });
      expect(health['retrain']).toMatchObject({ running: false, pending: 0, total: samples, succeeded: 1, failed: 0, minSamples: samples });

      // /predict during the retrain: answered throughout, never held for anything like the retrain's duration.
      const during = calls.filter((c) => c.at >= Date.parse(last.startedAt) && c.at - c.ms <= Date.parse(last.finishedAt));
      const latencies = during.map((c) => c.ms).sort((a, b) => a - b);
      const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
      const max = latencies.at(-1)!;
      console.log(`retrain ${last.durationMs} ms; ${during.length} /predict calls during it: p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
      expect(during.every((c) => c.status === 200)).toBe(true);
      expect(during.length).toBeGreaterThanOrEqual(20);
      expect(max).toBeLessThan(last.durationMs / 4);
      // One swap: every answer before it from v1, every answer after it from v2.
      const versions = calls.map((c) => c.version);
      expect(versions.indexOf(2)).toBe(versions.length - 1);
      expect(versions.slice(0, -1).every((v) => v === 1)).toBe(true);

      // Registered (the store was free): v2, parent v1, a candidate, with the file's checksum; v1's file untouched.
      await until('the registration', async () => ((await server.health())['registry'].registered === 1 ? true : undefined));
      const store = await Store.open(storePath, { readOnly: true });
      try {
        const v2 = await getModel(store, ID, 2);
        expect(v2).toMatchObject({ parentVersion: 1, status: 'candidate', kind: 'gbdt', features, classes: [...CLASSES], trainingRows: Math.floor(samples * 0.7) });
        expect(v2.path).toBe(join(modelsDir, modelFileName(ID, 2)));
        expect(v2.fileSha256).toBe(await fileSha256(v2.path));
        expect(v2.label).toMatchObject({ kind: 'trade-outcome' });
        for (const key of ['logLoss', 'accuracy', 'parentLogLoss', 'parentAccuracy', 'baselineLogLoss']) expect(Number.isFinite(v2.trainingMetrics![key])).toBe(true);
        const v1 = await getModel(store, ID, 1);
        expect(v1.status).toBe('champion');
        expect(await fileSha256(v1.path)).toBe(v1.fileSha256);
      } finally {
        store.close();
      }
      const metrics = await server.get('/metrics');
      expect(metrics).toMatch(/xylen_model_server_model_version\{model="trend"\} 2/);
      expect(metrics).toMatch(/xylen_model_server_retrains\{result="ok"\} 1/);
      expect(metrics).toMatch(/xylen_model_server_samples_pending 0/);
      expect(metrics).toMatch(/xylen_model_server_last_retrain_duration_seconds \d/);
      expect(server.logs.join('')).toContain('retrained model swapped in');
    } finally {
      await server.close();
    }
  }, 120_000);

  it('a retrain that fails (one-label outcomes) keeps the old model serving and says why in /health and the log; the next samples retrain', async () => {
    const server = await serve('degenerate', { minSamples: 50 });
    try {
      const before = new Set(await readdir(modelsDir));
      await server.post('/retrain', { outcomes: Array.from({ length: 50 }, (_, i) => outcome(i, 'long')) });
      await server.retrainer.idle();
      const health = await server.health();
      expect(health['status']).toBe('ok');
      expect(health['model'].version).toBe(1);
      expect(health['retrain']).toMatchObject({ running: false, pending: 0, succeeded: 0, failed: 1 });
      expect(health['retrain'].last).toMatchObject({ ok: false, fromVersion: 1, version: null, error: { code: 'RETRAIN_LABELS_DEGENERATE' } });
      expect(health['retrain'].last.error.message).toContain('"long"');
      expect((await server.predict()).version).toBe(1);
      const logged = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l['code'] === 'RETRAIN_LABELS_DEGENERATE');
      expect(logged).toMatchObject({ level: 50 });
      expect(String(logged!['msg'])).toContain('v1 keeps serving');
      // The version it had claimed is given back: no new file.
      expect(new Set(await readdir(modelsDir))).toEqual(before);
      expect(await server.get('/metrics')).toMatch(/xylen_model_server_last_retrain_ok 0/);

      // Fifty more, with real labels: the next retrain uses all hundred and succeeds.
      await server.post('/retrain', { outcomes: Array.from({ length: 50 }, (_, i) => outcome(100 + i)) });
      await server.retrainer.idle();
      const after = await server.health();
      expect(after['retrain'].last).toMatchObject({ ok: true, fromVersion: 1, samples: { read: 100, used: 100 } });
      expect(after['model'].version).toBe(after['retrain'].last.version);
      expect((await server.predict()).version).toBe(after['retrain'].last.version);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('while another process writes the store, the new version serves at once and its registration waits (queued, retried) until the store is free', async () => {
    const server = await serve('locked', { minSamples: 60 });
    const holder = await holdStore(storePath);
    try {
      await server.post('/retrain', { outcomes: Array.from({ length: 60 }, (_, i) => outcome(300 + i)) });
      await server.retrainer.idle();
      const health = await server.health();
      const version = health['retrain'].last.version as number;
      expect(health['retrain'].last.ok).toBe(true);
      expect((await server.predict()).version).toBe(version);
      const waiting = await until('a failed registration attempt', async () => {
        const registry = (await server.health())['registry'];
        return registry.lastError ? registry : undefined;
      });
      expect(waiting).toMatchObject({ pending: 1, registered: 0, lastError: { code: 'STORE_LOCKED' } });
      expect(await readdir(join(modelsDir, 'pending'))).toEqual([`${ID}-v${version}.json`]);
      expect(await server.get('/metrics')).toMatch(/xylen_model_server_registrations_pending 1/);
      expect((await server.predict()).status).toBe(200);
      await release(holder);
      await until('the queued registration', async () => ((await server.health())['registry'].pending === 0 ? true : undefined), 20_000);
      expect((await server.health())['registry']).toMatchObject({ registered: 1, lastError: null });
      expect(await readdir(join(modelsDir, 'pending'))).toEqual([]);
      const store = await Store.open(storePath, { readOnly: true });
      try {
        const record = await getModel(store, ID, version);
        expect(record.parentVersion).toBe(1);
        expect((await listModels(store, ID)).map((m) => m.version)).toContain(version);
      } finally {
        store.close();
      }
    } finally {
      await release(holder);
      await server.close();
    }
  }, 60_000);
});

/** Another process that opens the store read-write (as a replay does) and holds it until killed. */
async function holdStore(path: string): Promise<ChildProcess> {
  const script = `import { DuckDBInstance } from '@duckdb/node-api'; const db = await DuckDBInstance.create(${JSON.stringify(path)}); await db.connect(); console.log('holding'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('holding') && ready());
    child.on('exit', (code) => fail(new Error(`the store holder exited with ${code}`)));
  });
  return child;
}

async function release(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}
