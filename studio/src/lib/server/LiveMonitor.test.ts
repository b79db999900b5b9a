import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Counter, Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { XylenError } from '../../../../engine/index.ts';
import { startControlApi, type ControlApi, type ControlApiDeps } from '../../../../live/index.ts';
import { loadModel } from '../../../../model-servers/index.ts';
import { createModelServer } from '../../../../model-servers/server/index.ts';
import { SHARED_MODELS } from '../../../../test/paths.ts';
import { LiveMonitor, type LiveEvent } from './LiveMonitor.ts';
import { parsePrometheusText } from './prometheusText.ts';

const TOKEN = 'monitor-test-token-0123456789';
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const beat = (ts: number, equity = 10_000) => ({
  type: 'heartbeat',
  ts,
  row: ts / 300_000,
  close: 100,
  equity,
  wallet: equity,
  quantity: 0,
  markPrice: 100,
  votes: [{ model: 'm', action: 'long', confidence: 0.7, weight: 1 }],
  action: 'long',
  confidence: 0.7,
  scores: { long: 0.7, short: 0, hold: 0.3 },
  outcome: 'BELOW_THRESHOLD',
});

/** The live process's real control API (live/ControlApi.ts) over state the test sets. */
function liveDeps(state: { decisions: unknown[]; calls: string[]; trades?: unknown[] }, token: string | undefined): ControlApiDeps {
  const deps = {
    token,
    tokenEnv: 'XYLEN_LIVE_TOKEN',
    status: () => ({ mode: 'testnet', runId: 'run-20250510-000000-abcd', symbol: 'BTCUSDT', startedAt: '2025-05-10T00:00:00.000Z', lastBarClose: 1, heartbeats: state.decisions.length, halted: false, stopping: false, equity: 10_000, wallet: 10_000, position: 0, openOrders: 0, reconciled: null, exchange: null, journal: '/tmp/j.duckdb' }),
    positions: () => [],
    orders: () => [],
    decisions: (limit: number) => state.decisions.slice(-limit),
    trades: (limit: number) => (state.trades ?? []).slice(-limit),
    models: () => [{ name: 'm', healthy: true, latencyMs: 1.5 }],
    logs: () => [{ ts: '2025-05-10T00:00:00.000Z', level: 'info', event: 'live_started' }],
    metrics: async () => ({
      contentType: 'text/plain',
      body: [
        '# HELP xylen_realized_pnl_usdt Net PnL',
        'xylen_realized_pnl_usdt -12.5',
        'xylen_trades_total 3',
        'xylen_decisions_total{outcome="HOLD"} 7',
        'xylen_decisions_total{outcome="ORDER_PLACED"} 2',
        'xylen_model_latency_seconds_sum{model="m"} 0.02',
        'xylen_model_latency_seconds_count{model="m"} 10',
        'xylen_heartbeat_seconds_sum 0.5',
        'xylen_heartbeat_seconds_count 100',
      ].join('\n'),
    }),
    stop: async (flatten: boolean) => (state.calls.push(`stop:${flatten}`), { stopped: true, flattened: flatten }),
    emergencyStop: async () => (state.calls.push('emergency'), { stopped: true, flattened: true }),
    // Routes a newer control API has (health, config, promotion); the monitor does not use them.
    health: () => ({ ok: true }),
    config: () => ({}),
    promote: async () => ({}),
  };
  return deps as ControlApiDeps;
}

/** `token` null: the live process has no control token configured. */
function control(state: { decisions: unknown[]; calls: string[]; trades?: unknown[] }, token: string | null = TOKEN, port = 0): Promise<ControlApi> {
  return startControlApi(liveDeps(state, token ?? undefined), { host: '127.0.0.1', port });
}

/** Resolves with the first event the predicate accepts. */
function next(monitor: LiveMonitor, accept: (e: LiveEvent) => boolean, timeoutMs = 5000): Promise<LiveEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (stop(), reject(new Error('no such event'))), timeoutMs);
    const stop = monitor.subscribe((e) => {
      if (!accept(e)) return;
      clearTimeout(timer);
      stop();
      resolve(e);
    });
  });
}

describe('LiveMonitor (the studio’s side of the live control API)', () => {
  it('streams the live process’s records to subscribers, merges them with the REST routes, and reconnects after the process comes back', async () => {
    // One trade closed before the studio connected: the REST route brings it; the stream brings the next.
    const earlier = { type: 'trade', ts: 450_000, side: 'short', entryTs: 320_000, entryPrice: 101, exitPrice: 100, quantity: 1, pnl: 1, fees: 0.2, funding: 0, exitReason: 'TAKE_PROFIT' };
    const state = { decisions: [beat(300_000), beat(600_000, 10_010)] as unknown[], calls: [] as string[], trades: [earlier] as unknown[] };
    let api = await control(state);
    const port = Number(new URL(api.url).port);
    const monitor = new LiveMonitor({ url: api.url, token: TOKEN, retryMs: 50 });
    cleanup.push(() => monitor.close(), () => api.close());
    const events: LiveEvent[] = [];
    monitor.subscribe((e) => events.push(e));
    await expect.poll(() => monitor.link.up).toBe(true);

    api.push('heartbeat', beat(900_000, 10_020));
    api.push('heartbeat', beat(900_000, 10_020)); // the same decision twice counts once
    api.push('trade', { type: 'trade', ts: 950_000, side: 'long', entryTs: 600_000, entryPrice: 100, exitPrice: 101, quantity: 2, pnl: 2, fees: 0.3, funding: -0.1, exitReason: 'TAKE_PROFIT' });
    api.push('log', { ts: '2025-05-10T00:15:00.000Z', level: 'warn', event: 'exchange_error', action: 'retry' });
    api.push('order', { type: 'order', ts: 950_000, order: { clientOrderId: 'xy-1-E' } });
    await expect.poll(() => events.filter((e) => e.event !== 'link').map((e) => e.event)).toEqual(['decision', 'trade', 'record', 'log', 'record']);
    const trade = events.find((e) => e.event === 'trade')!.data as { net: number };
    expect(trade.net).toBeCloseTo(2 - 0.3 - 0.1, 12);

    const snap = await monitor.snapshot();
    expect(snap.decisions.map((d) => d.ts)).toEqual([300_000, 600_000, 900_000]);
    expect(snap.equity).toEqual({ ts: [300_000, 600_000, 900_000], equity: [10_000, 10_010, 10_020] });
    expect(snap.trades.map((t) => t.ts)).toEqual([450_000, 950_000]); // the earlier one from GET /trades, once each
    expect(snap.logs.map((l) => l.event)).toEqual(['live_started', 'exchange_error']); // in time order, whatever the arrival
    expect(snap.figures).toEqual({ realizedPnl: -12.5, trades: 3, decisions: { HOLD: 7, ORDER_PLACED: 2 }, heartbeatMeanMs: 5, exchangeErrors: null });
    expect(snap.models).toEqual([expect.objectContaining({ name: 'm', healthy: true, latencyMs: 1.5, calls: 10, where: 'in-process', server: null })]);
    expect(snap.models[0]!.meanLatencyMs).toBeCloseTo(2, 9);
    // What a page loaded before is replayed to its stream: only what is newer than its own newest.
    const missed = monitor.since({ decision: 600_000, trade: 950_000, log: '2025-05-10T00:10:00.000Z' });
    expect(missed.map((e) => [e.event, 'ts' in e.data ? e.data.ts : null])).toEqual([
      ['decision', 900_000],
      ['log', '2025-05-10T00:15:00.000Z'],
    ]);
    expect(monitor.since({ decision: 0, trade: 0 }).map((e) => e.event)).toEqual(['decision', 'decision', 'decision', 'trade', 'trade']);

    // The process goes away: the link says so, snapshots fail as LIVE_DOWN; it comes back on its port: streaming again.
    await api.close();
    await expect.poll(() => monitor.link.up).toBe(false);
    const down = await monitor.snapshot().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(XylenError);
    expect((down as XylenError).code).toBe('LIVE_DOWN');
    api = await control(state, TOKEN, port);
    await expect.poll(() => monitor.link.up, { timeout: 5000 }).toBe(true);
    const decision = next(monitor, (e) => e.event === 'decision');
    api.push('heartbeat', beat(1_200_000));
    expect((await decision).data).toMatchObject({ ts: 1_200_000 });
    // Up, down, up again. While down, each retry that fails for a new reason (stream closed, then connection refused)
    // is its own link event, so under load `false` may repeat: compare the changes of state.
    const ups = events.filter((e) => e.event === 'link').map((e) => (e.data as { up: boolean }).up);
    expect(ups.filter((up, i) => i === 0 || up !== ups[i - 1])).toEqual([true, false, true]);
  });

  it('reads each HTTP model server’s own /health: uptime, memory, latency percentiles, model version', async () => {
    const runtime = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
    const server = createModelServer({ runtime, logger: false });
    await server.listen({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => runtime.close(), () => server.close());
    const state = { decisions: [], calls: [] };
    const api = await control(state);
    cleanup.push(() => api.close());
    const modelUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const monitor = new LiveMonitor({ url: api.url, token: TOKEN, modelServers: { m: modelUrl } });
    cleanup.push(() => monitor.close());
    const [m] = (await monitor.state()).models;
    expect(m).toMatchObject({ name: 'm', where: modelUrl, serverError: null, server: { status: 'ok', model: 'torch_mlp v1' } });
    expect(m!.server!.uptimeS).toBeGreaterThan(0);
    expect(m!.server!.rssBytes).toBeGreaterThan(m!.server!.heapUsedBytes);

    await server.close();
    const [gone] = (await monitor.state()).models;
    expect(gone!.server).toBeNull();
    expect(gone!.serverError).toBe('ECONNREFUSED');
  });

  it('sends the emergency stop with the live token, and names each refusal without the token', async () => {
    const state = { decisions: [], calls: [] as string[] };
    const api = await control(state);
    const disabled = await control({ decisions: [], calls: state.calls }, null);
    cleanup.push(() => api.close(), () => disabled.close());
    const codeOf = (work: Promise<unknown>) =>
      work.then(
        () => 'none',
        (e: unknown) => {
          expect(String((e as Error).message) + String((e as XylenError).hint)).not.toContain(TOKEN);
          return (e as XylenError).code;
        },
      );
    const monitor = (url: string, token: string | undefined) => {
      const m = new LiveMonitor({ url, token });
      cleanup.push(() => m.close());
      return m;
    };
    expect(monitor(api.url, undefined).canStop).toBe(false);
    expect(await codeOf(monitor(api.url, undefined).emergencyStop())).toBe('LIVE_TOKEN_MISSING');
    expect(await codeOf(monitor(api.url, 'not-the-token-0123456789').emergencyStop())).toBe('LIVE_TOKEN_REFUSED');
    expect(await codeOf(monitor(disabled.url, TOKEN).emergencyStop())).toBe('LIVE_CONTROL_DISABLED');
    expect(await codeOf(monitor('http://127.0.0.1:9', TOKEN).emergencyStop())).toBe('LIVE_DOWN');
    expect(state.calls).toEqual([]);
    expect(await monitor(api.url, TOKEN).emergencyStop()).toEqual({ stopped: true, flattened: true });
    expect(state.calls).toEqual(['emergency']);
  });
});

describe('parsePrometheusText', () => {
  it('reads back what prom-client writes: names, labels (escaped), values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })), { minLength: 1, maxLength: 6 }),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
        async (labelled, plain) => {
          const registry = new Registry();
          const counter = new Gauge({ name: 'xylen_test_gauge', help: 'h', labelNames: ['model'], registers: [registry] });
          const expected = new Map<string, number>();
          for (const [model, value] of labelled) {
            counter.set({ model }, value);
            expected.set(model, value === 0 ? 0 : value); // -0 is written as 0
          }
          new Counter({ name: 'xylen_test_total', help: 'h', registers: [registry] }).inc(Math.abs(plain));
          const samples = parsePrometheusText(await registry.metrics());
          const read = new Map(samples.filter((s) => s.name === 'xylen_test_gauge').map((s) => [s.labels['model']!, s.value]));
          expect(read).toEqual(expected);
          expect(samples.find((s) => s.name === 'xylen_test_total')!.value).toBe(Math.abs(plain));
        },
      ),
      { numRuns: 60 },
    );
  });
});
