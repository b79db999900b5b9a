import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XylenError } from '../../engine/index.ts';
import { SHARED_MODELS } from '../../test/paths.ts';
import { loadModel, type ModelRuntime } from '../index.ts';
import { createModelServer, LatencyWindow, SampleStore } from './index.ts';

let dir: string;
let runtime: ModelRuntime;
let rows: number[][];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-model-server-'));
  runtime = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
  rows = (await readFile(join(SHARED_MODELS, 'torch_mlp.inputs.csv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number));
});
afterAll(async () => {
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(options: { token?: string; samples?: SampleStore; logs?: string[]; bodyLimit?: number } = {}) {
  const logger = options.logs
    ? pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (options.logs!.push(chunk.toString()), done()) }))
    : false;
  const app: FastifyInstance = createModelServer({ runtime, logger, ...(options.token ? { token: options.token } : {}), ...(options.samples ? { samples: options.samples } : {}), ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, any> };
  };
  return { app, base, call };
}

const snapshot = (row: readonly number[]) => Object.fromEntries(runtime.card.features.map((name, i) => [name, row[i]!]));

describe('POST /predict', () => {
  it('answers a batch (by position or by names in any order) and a snapshot as the runtime does', async () => {
    const { app, call } = await serve();
    try {
      const direct = await runtime.predict(Float32Array.from(rows.flat()), rows.length);
      const byPosition = (await call('POST', '/predict', { rows })).json();
      const shuffled = [...runtime.card.features].reverse();
      const byName = (await call('POST', '/predict', { names: shuffled, rows: rows.map((row) => shuffled.map((name) => row[runtime.card.features.indexOf(name)]!)) })).json();
      expect(byPosition.model).toEqual({ id: 'torch_mlp', version: 1 });
      for (const answer of [byPosition, byName]) {
        expect(answer.predictions).toHaveLength(rows.length);
        answer.predictions.forEach((p: { confidence: number; probabilities: Record<string, number> }, r: number) => {
          expect(Math.abs(p.confidence - direct.confidence[r]!)).toBeLessThan(1e-6);
          expect(Math.abs(p.probabilities['long']! - direct.probabilities[r * 3 + 2]!)).toBeLessThan(1e-6);
        });
      }
      const one = (await call('POST', '/predict', { features: { extra: 1, ...snapshot(rows[7]!) } })).json();
      expect(one.predictions).toHaveLength(1);
      expect(Math.abs(one.predictions[0].confidence - direct.confidence[7]!)).toBeLessThan(1e-6);
    } finally {
      await app.close();
    }
  });

  it('400 names the bad field; 422 says which features are missing or how wide the rows must be; 413 above the body limit', async () => {
    const { app, call } = await serve({ bodyLimit: 4096 });
    try {
      const bad = async (body: unknown, status: number) => {
        const answer = await call('POST', '/predict', body);
        expect(answer.status).toBe(status);
        return answer.json().error as { code: string; message: string; field?: string };
      };
      expect((await bad({ features: { ...snapshot(rows[0]!), rsi_14: '55' } }, 400)).field).toBe('body/features/rsi_14');
      expect((await bad({ rows: [[1, 2, 'x']] }, 400)).field).toBe('body/rows/0/2');
      expect((await bad({ row: [] }, 400)).field).toBe('body/row');
      expect((await bad({ rows: [] }, 400)).field).toBe('body/rows');
      expect((await bad({}, 400)).message).toContain('exactly one of');
      expect((await bad({ features: {}, rows: [[1]] }, 400)).message).toContain('exactly one of');
      expect((await bad({ names: ['a'] }, 400)).field).toBe('body/names');
      expect((await bad('{"rows": [[1,', 400)).code).toBe('FST_ERR_CTP_INVALID_JSON_BODY');

      const { rsi_14: _dropped, ...withoutRsi } = snapshot(rows[0]!);
      const missing = await bad({ features: withoutRsi }, 422);
      expect(missing).toMatchObject({ code: 'MODEL_FEATURE_MISSING', field: 'features' });
      expect(missing.message).toContain('"rsi_14"');
      expect(missing.message).not.toContain('"ret_1"');
      const narrow = await bad({ rows: [rows[0], rows[1]!.slice(0, 9)] }, 422);
      expect(narrow).toMatchObject({ code: 'MODEL_INPUT_WIDTH', field: 'rows/1' });
      expect(narrow.message).toContain('9 values');
      expect((await bad({ names: ['a', 'b'], rows: [[1, 2]] }, 422)).code).toBe('MODEL_FEATURE_MISSING');

      expect((await bad({ rows: Array.from({ length: 100 }, () => rows[0]) }, 413)).code).toBe('BODY_TOO_LARGE');
    } finally {
      await app.close();
    }
  });

  it('never crashes on random bodies: every answer is 200, 400, 413 or 422 with a JSON error, and /health still answers', async () => {
    const { app, call } = await serve({ bodyLimit: 16_384 });
    const value = fc.oneof(fc.double(), fc.constant(null), fc.string(), fc.boolean());
    const names = fc.constantFrom(...runtime.card.features, 'other', '__proto__', 'constructor');
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.record({ features: fc.dictionary(names, value) }, { requiredKeys: [] }),
      fc.record({ rows: fc.array(fc.array(value, { maxLength: 12 }), { maxLength: 5 }), names: fc.array(names, { maxLength: 12 }) }, { requiredKeys: ['rows'] }),
      fc.record({ features: fc.constant(snapshot(rows[0]!)), rows: fc.anything() }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const answer = await call('POST', '/predict', b);
          expect([200, 400, 413, 422]).toContain(answer.status);
          const json = answer.json();
          if (answer.status === 200) expect(json.predictions.length).toBeGreaterThan(0);
          else expect(typeof json.error.code).toBe('string');
        }),
        { numRuns: 300, seed: 7 },
      );
      expect((await call('GET', '/health')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('POST /retrain', () => {
  it('appends outcomes to the sample store, answers the pending count, and the store has one writer', async () => {
    const path = join(dir, 'samples', 'torch_mlp.jsonl');
    const samples = await SampleStore.open(path);
    const { app, call } = await serve({ samples });
    const outcome = (ts: number) => ({ ts, row: 1, side: 'long', entryPrice: 100, exitPrice: 101, pnl: 0.01, label: 'long', features: snapshot(rows[0]!) });
    try {
      expect((await call('POST', '/retrain', { outcomes: [outcome(1), outcome(2)] })).json()).toMatchObject({ accepted: 2, pending: 2 });
      expect((await call('POST', '/retrain', { outcomes: [outcome(3)] })).json()).toMatchObject({ accepted: 1, pending: 3 });
      expect((await call('POST', '/retrain', { outcomes: [{ ...outcome(4), side: 'flat' }] })).json().error.field).toBe('body/outcomes/0/side');
      const lines = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((l) => l.ts)).toEqual([1, 2, 3]);
      expect(lines[0].features.rsi_14).toBe(rows[0]![runtime.card.features.indexOf('rsi_14')]);
      expect((await call('GET', '/health')).json().samples).toEqual({ pending: 3, total: 3 });

      const second = await SampleStore.open(path).catch((e: unknown) => e);
      expect((second as XylenError).code).toBe('SAMPLES_LOCKED');
    } finally {
      await app.close();
      await samples.close();
    }
    const reopened = await SampleStore.open(path);
    expect(reopened.pending).toBe(3);
    // A retrain that started from the first two leaves one pending, also after a restart.
    await reopened.markUsed(2);
    expect([reopened.pending, reopened.total]).toEqual([1, 3]);
    await reopened.close();
    const again = await SampleStore.open(path);
    expect([again.pending, again.total]).toEqual([1, 3]);
    await again.close();
  });

  it('answers 503 RETRAIN_DISABLED without a sample store', async () => {
    const { app, call } = await serve();
    try {
      const answer = await call('POST', '/retrain', { outcomes: [{ ts: 1, row: 0, side: 'short', entryPrice: 1, exitPrice: 2, pnl: -1, label: 'long' }] });
      expect(answer.status).toBe(503);
      expect(answer.json().error.code).toBe('RETRAIN_DISABLED');
    } finally {
      await app.close();
    }
  });
});

describe('GET /health and /metrics', () => {
  it('count requests by route and status, with latency percentiles in order', async () => {
    const { app, call } = await serve();
    try {
      for (let i = 0; i < 20; i++) await call('POST', '/predict', { features: snapshot(rows[i]!) });
      await call('POST', '/predict', { rows: [[1]] });
      const health = (await call('GET', '/health')).json();
      expect(health).toMatchObject({ status: 'ok', model: { id: 'torch_mlp', version: 1, kind: 'onnx' }, requests: { total: 21, byRoute: { '/predict': 21 }, byStatus: { '2xx': 20, '4xx': 1 } } });
      expect(health.memory.rss).toBeGreaterThan(health.memory.heapUsed);
      const { p50, p90, p99, window } = health.latencyMs;
      expect(window).toBe(20);
      expect(0 < p50 && p50 <= p90 && p90 <= p99).toBe(true);

      const metrics = await call('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('xylen_model_server_requests_total{route="/predict",status="200"} 20');
      expect(metrics.text).toContain('xylen_model_server_requests_total{route="/predict",status="422"} 1');
      expect(metrics.text).toContain('xylen_model_server_request_duration_seconds_count{route="/predict"} 21');
    } finally {
      await app.close();
    }
  });

  it('with a token: 401 on every route but /health, and the token never reaches the log', async () => {
    const logs: string[] = [];
    const { app, call } = await serve({ token: 'tok-123-secret', logs });
    try {
      for (const [method, path] of [['POST', '/predict'], ['POST', '/retrain'], ['GET', '/metrics']] as const) {
        expect((await call(method, path, method === 'POST' ? {} : undefined)).status).toBe(401);
        expect((await call(method, path, method === 'POST' ? {} : undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
      }
      expect((await call('GET', '/health')).status).toBe(200);
      const auth = { authorization: 'Bearer tok-123-secret' };
      expect((await call('POST', '/predict', { features: snapshot(rows[0]!) }, auth)).status).toBe(200);
      expect((await call('POST', '/predict', { features: {} }, auth)).status).toBe(422);
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.join('')).not.toContain('tok-123-secret');
    } finally {
      await app.close();
    }
  });
});

describe('LatencyWindow', () => {
  it('keeps the last capacity values and gives nearest-rank percentiles of them (against a naive reference)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (values, capacity) => {
        const window = new LatencyWindow(capacity);
        values.forEach((v) => window.add(v));
        const kept = values.slice(-capacity).sort((a, b) => a - b);
        const rank = (p: number) => kept[Math.max(1, Math.ceil((p / 100) * kept.length)) - 1];
        expect(window.size).toBe(kept.length);
        const got = window.percentiles([50, 90, 99, 100]);
        if (kept.length === 0) expect(got.every(Number.isNaN)).toBe(true);
        else expect(got).toEqual([rank(50), rank(90), rank(99), rank(100)]);
      }),
    );
  });
});
