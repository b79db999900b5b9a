import { afterEach, describe, expect, it } from 'vitest';
import { inputError } from '../engine/index.ts';
import { startControlApi, type ControlApi, type ControlApiDeps } from './ControlApi.ts';

let api: ControlApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function deps(token: string | undefined, calls: string[]): ControlApiDeps {
  return {
    token,
    tokenEnv: 'XYLEN_LIVE_TOKEN',
    status: () => ({ mode: 'testnet', position: 0.01 }),
    positions: () => [{ symbol: 'BTCUSDT', quantity: 0.01 }],
    orders: () => [],
    decisions: (limit) => [{ type: 'decision', limit, votes: [{ model: 'm', action: 'long' }] }],
    trades: (limit) => [{ type: 'trade', limit }],
    models: () => [{ name: 'm', endpoint: { healthy: true } }],
    logs: (limit) => Array.from({ length: Math.min(limit, 3) }, (_, i) => ({ event: `e${i}` })),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'xylen_decisions_total 1\n' }),
    stop: async (flatten) => (calls.push(`stop:${flatten}`), { stopped: true, flattened: flatten }),
    emergencyStop: async () => (calls.push('emergency'), { stopped: true, flattened: true }),
    health: () => ({ ok: token !== 'stale-token', status: token === 'stale-token' ? 'stale' : 'ok' }),
    config: () => ({ config: { ensemble: { method: 'majority' } }, promotion: null, pending: null }),
    promote: async (body) => {
      calls.push(`promote:${JSON.stringify(body)}`);
      const kind = (body as { kind?: string }).kind;
      if (kind === 'malformed') throw inputError('PROMOTION_BAD_REQUEST', 'not a promotion');
      if (kind === 'mismatch') throw inputError('PROMOTION_MISMATCH', 'other data', { where: 'run-x', hint: 'replay it' });
      if (kind === 'invalid') throw inputError('CONFIG_INVALID', 'bad threshold');
      return { status: 'pending' };
    },
  };
}

describe('control API of the live process', () => {
  it('serves the read routes openly, guards state changes with the bearer token, and pushes events over SSE', async () => {
    const calls: string[] = [];
    api = await startControlApi(deps('s3cret-token', calls), { host: '127.0.0.1', port: 0 });
    expect(await (await fetch(`${api.url}/status`)).json()).toEqual({ mode: 'testnet', position: 0.01 });
    const health = await fetch(`${api.url}/health`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true, status: 'ok' }]);
    expect(await (await fetch(`${api.url}/decisions?limit=7`)).json()).toEqual([{ type: 'decision', limit: 7, votes: [{ model: 'm', action: 'long' }] }]);
    expect(await (await fetch(`${api.url}/trades?limit=4`)).json()).toEqual([{ type: 'trade', limit: 4 }]);
    expect(await (await fetch(`${api.url}/logs?limit=2`)).json()).toHaveLength(2);
    const metrics = await fetch(`${api.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('xylen_decisions_total');

    expect((await fetch(`${api.url}/emergency-stop`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${api.url}/stop`, { method: 'POST', headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);
    expect(calls).toEqual([]);
    const stop = await fetch(`${api.url}/stop?flatten=true`, { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } });
    expect(await stop.json()).toEqual({ stopped: true, flattened: true });
    expect((await fetch(`${api.url}/emergency-stop`, { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    expect(calls).toEqual(['stop:true', 'emergency']);

    const controller = new AbortController();
    const events = await fetch(`${api.url}/events`, { signal: controller.signal });
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = events.body!.getReader();
    await reader.read(); // the greeting comment
    api.push('decision', { ts: 1, outcome: 'HOLD' });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe('event: decision\ndata: {"ts":1,"outcome":"HOLD"}\n\n');
    controller.abort();
  });

  it('GET /config is open; POST /config needs the token and answers a refused promotion by its kind (400, 409, 422)', async () => {
    const calls: string[] = [];
    api = await startControlApi(deps('s3cret-token', calls), { host: '127.0.0.1', port: 0 });
    expect(await (await fetch(`${api.url}/config`)).json()).toEqual({ config: { ensemble: { method: 'majority' } }, promotion: null, pending: null });
    const post = (body: unknown, token = 's3cret-token') =>
      fetch(`${api!.url}/config`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    expect((await post({ kind: 'ok' }, 'wrong-token!')).status).toBe(401);
    expect(calls).toEqual([]);
    const accepted = await post({ kind: 'ok' });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ status: 'pending' });
    expect((await post({ kind: 'malformed' })).status).toBe(400);
    const mismatch = await post({ kind: 'mismatch' });
    expect(mismatch.status).toBe(409);
    expect(await mismatch.json()).toEqual({ error: 'PROMOTION_MISMATCH', message: 'other data', where: 'run-x', hint: 'replay it' });
    expect((await post({ kind: 'invalid' })).status).toBe(422);
    expect(calls).toHaveLength(4);
  });

  it('refuses every state change when no token is configured', async () => {
    const calls: string[] = [];
    const stale = await startControlApi(deps('stale-token', calls), { host: '127.0.0.1', port: 0 });
    expect((await fetch(`${stale.url}/health`)).status).toBe(503);
    await stale.close();
    api = await startControlApi(deps(undefined, calls), { host: '127.0.0.1', port: 0 });
    const answer = await fetch(`${api.url}/emergency-stop`, { method: 'POST', headers: { authorization: 'Bearer anything' } });
    expect(answer.status).toBe(503);
    expect((await fetch(`${api.url}/config`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer anything' }, body: '{}' })).status).toBe(503);
    expect(((await answer.json()) as { message: string }).message).toContain('XYLEN_LIVE_TOKEN');
    expect(calls).toEqual([]);
  });
});
