import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XylenError, type ModelRequest } from '../../engine/index.ts';
import { SHARED_MODELS } from '../../test/paths.ts';
import { sendJson, startLoopbackServer } from '../../test/servers/LoopbackServer.ts';
import { loadModel, type ModelRuntime } from '../index.ts';
import { createModelServer } from '../server/index.ts';
import { HttpModelClient } from './index.ts';

// Faults on loopback, each against a real server: one closed mid-run and restarted, one slower than the
// deadline, one answering garbage, one failing with 5xx or 4xx, one that counts requests in flight.

let runtime: ModelRuntime;
beforeAll(async () => {
  runtime = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
});
afterAll(() => runtime.close());

const request = (): ModelRequest => ({ ts: 0, row: 0, features: Float64Array.from(runtime.card.features, (_, i) => i / 10), names: runtime.card.features });
const failureOf = async (promise: Promise<unknown>): Promise<XylenError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XylenError);
  return error as XylenError;
};

async function modelServer(port = 0): Promise<{ app: FastifyInstance; port: number }> {
  const app = createModelServer({ runtime, logger: false });
  await app.listen({ host: '127.0.0.1', port });
  return { app, port: (app.server.address() as AddressInfo).port };
}

describe('HttpModelClient against faulty servers', () => {
  it('a server closed mid-run: rejects, is marked unhealthy and skipped at once, and is re-admitted after a restart on the same port', async () => {
    const first = await modelServer();
    const client = new HttpModelClient({ url: `http://127.0.0.1:${first.port}`, retries: 1, backoffMs: 5, recheckMs: 30, healthIntervalMs: 60_000 });
    try {
      for (let i = 0; i < 5; i++) expect((await client.predict(request())).confidence).toBeGreaterThan(0);
      await first.app.close();

      const down = await failureOf(client.predict(request()));
      expect(down.code).toBe('MODEL_UNREACHABLE');
      expect(client.endpoint.healthy).toBe(false);
      const started = performance.now();
      expect((await failureOf(client.predict(request()))).code).toBe('MODEL_UNHEALTHY');
      expect(performance.now() - started).toBeLessThan(20);

      await sleep(100); // several rechecks fail while it is down
      expect(client.endpoint.healthy).toBe(false);
      const second = await modelServer(first.port);
      try {
        for (let i = 0; i < 100 && !client.endpoint.healthy; i++) await sleep(20);
        expect(client.endpoint.healthy).toBe(true);
        expect((await client.predict(request())).confidence).toBeGreaterThan(0);
      } finally {
        await second.app.close();
      }
    } finally {
      client.close();
    }
  });

  it('a server slower than the deadline: rejects with MODEL_TIMEOUT within the timeout plus a margin', async () => {
    const slow = await startLoopbackServer(async (_req, res) => {
      await sleep(1_000);
      sendJson(res, 200, { predictions: [{ action: 'long', confidence: 0.9 }] });
    });
    const client = new HttpModelClient({ url: slow.url, timeoutMs: 150, healthIntervalMs: 60_000, recheckMs: 60_000 });
    try {
      const started = performance.now();
      const error = await failureOf(client.predict(request()));
      const elapsed = performance.now() - started;
      expect(error.code).toBe('MODEL_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(400);
      expect(client.endpoint.healthy).toBe(false);
    } finally {
      client.close();
      await slow.close();
    }
  });

  it('a server that answers garbage: rejects with MODEL_BAD_RESPONSE saying what came back', async () => {
    const bodies = ['{"predictions": [{"action": "long", "conf', JSON.stringify({ predictions: [{ action: 'buy', confidence: 0.7 }] }), JSON.stringify({ predictions: [] })];
    let next = 0;
    const garbage = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies[next++]);
    });
    try {
      for (const expected of ['not JSON', 'buy', 'predictions']) {
        const client = new HttpModelClient({ url: garbage.url, healthIntervalMs: 60_000 });
        const error = await failureOf(client.predict(request()));
        client.close();
        expect(error.code).toBe('MODEL_BAD_RESPONSE');
        expect(error.message).toContain(expected);
      }
      expect(garbage.requests).toHaveLength(3); // a bad answer is not retried
    } finally {
      await garbage.close();
    }
  });

  it('retries a 5xx with backoff and succeeds; never retries a 4xx, which leaves the endpoint healthy', async () => {
    const statuses = [500, 503, 200, 422];
    let next = 0;
    const flaky = await startLoopbackServer((_req, res) => {
      const status = statuses[next++]!;
      sendJson(res, status, status === 200 ? { predictions: [{ action: 'short', confidence: 0.6 }] } : { error: { code: status === 422 ? 'MODEL_FEATURE_MISSING' : 'INTERNAL', message: `status ${status}` } });
    });
    const client = new HttpModelClient({ url: flaky.url, retries: 2, backoffMs: 20, healthIntervalMs: 60_000 });
    try {
      expect(await client.predict(request())).toEqual({ action: 'short', confidence: 0.6 });
      expect(flaky.requests).toHaveLength(3);
      const gaps = [flaky.requests[1]!.at - flaky.requests[0]!.at, flaky.requests[2]!.at - flaky.requests[1]!.at];
      expect(gaps[0]).toBeGreaterThanOrEqual(18);
      expect(gaps[1]).toBeGreaterThanOrEqual(38); // doubled

      const error = await failureOf(client.predict(request()));
      expect(error.code).toBe('MODEL_FEATURE_MISSING');
      expect(error.exitCode).toBe(2);
      expect(flaky.requests).toHaveLength(4);
      expect(client.endpoint.healthy).toBe(true);
    } finally {
      client.close();
      await flaky.close();
    }
  });

  it('keeps at most maxConcurrency requests in flight, over reused keep-alive connections', async () => {
    let inFlight = 0;
    let most = 0;
    const sockets = new Set<unknown>();
    const counting = await startLoopbackServer(async (_req, res, raw) => {
      sockets.add(raw.socket);
      most = Math.max(most, ++inFlight);
      await sleep(10);
      inFlight--;
      sendJson(res, 200, { predictions: [{ action: 'hold', confidence: 0.5 }] });
    });
    const client = new HttpModelClient({ url: counting.url, maxConcurrency: 2, healthIntervalMs: 60_000 });
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, () => client.predict(request())));
      expect(answers).toHaveLength(12);
      expect(most).toBe(2);
      expect(sockets.size).toBe(2);
    } finally {
      client.close();
      await counting.close();
    }
  });

  it('sends the bearer token; a wrong one is a 401 that names no secret', async () => {
    const app = createModelServer({ runtime, logger: false, token: 's3cret-token' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const good = new HttpModelClient({ url, token: 's3cret-token', healthIntervalMs: 60_000 });
    const bad = new HttpModelClient({ url, token: 'guess', healthIntervalMs: 60_000 });
    try {
      expect((await good.predict(request())).confidence).toBeGreaterThan(0);
      const error = await failureOf(bad.predict(request()));
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.exitCode).toBe(1);
      expect(error.describe()).not.toContain('s3cret');
      expect(await bad.checkHealth()).toBe(true); // /health needs no token
    } finally {
      good.close();
      bad.close();
      await app.close();
    }
  });
});
