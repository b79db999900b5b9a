import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/paths.ts';
import { sendJson, startLoopbackServer } from '../test/servers/LoopbackServer.ts';
import type { ExchangeSim } from './exchange-sim/index.ts';
import { importedStore, parityConfig, simOverStore } from './test/liveFixture.ts';
import { SIM_KEY, SIM_SECRET } from './test/simFixture.ts';

const TG_TOKEN = '123456:tgTokenNeverLoggedAbcDefGhiJklMnoPqrStu';
const CONTROL_TOKEN = 'controlTokenNeverLoggedZyxwvutsrqponm';
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

interface Child {
  process: ChildProcess;
  output: string[];
  line(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startLive(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'xylen.js'), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    output.push(...lines);
  });
  child.stderr!.on('data', (d: Buffer) => output.push(`stderr: ${d.toString()}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanup.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  return {
    process: child,
    output,
    exited,
    async line(event, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const l of output) {
          if (!l.startsWith('{')) continue;
          const parsed = JSON.parse(l) as Record<string, unknown>;
          if (parsed['event'] === event) return parsed;
        }
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${event} line; output:\n${output.join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Wait until the live process has handled the bar closing at `target` (its control API says so), or `stop()`. */
async function waitHandled(control: string, target: number, stop: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!stop()) {
    let status: { lastBarClose: number };
    try {
      status = (await (await fetch(`${control}/status`)).json()) as { lastBarClose: number };
    } catch (error) {
      if (stop()) return; // killed while this request was on the wire
      throw error;
    }
    if (status.lastBarClose >= target) return;
    if (Date.now() > deadline) throw new Error(`live process did not handle the bar closing at ${target}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function stepAndWait(sim: ExchangeSim, control: string): Promise<boolean> {
  if (!(await sim.step())) return false;
  await waitHandled(control, sim.market.lastClose);
  return true;
}

describe('crash recovery of `xylen live` (child processes against the simulator)', () => {
  it('killed with SIGKILL right after an entry is sent, a restart finds the position, completes its protection once, places nothing twice, and carries on; secrets appear in no output', { timeout: 180_000 }, async () => {
    const { dir, storePath } = await importedStore();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = parityConfig();
    const telegram: string[] = [];
    const bot = await startLoopbackServer(async (request, response, raw) => {
      let body = '';
      for await (const chunk of raw) body += String(chunk);
      if (request.path === `/bot${TG_TOKEN}/sendMessage`) telegram.push(body);
      sendJson(response, 200, { ok: true, result: {} });
    });
    cleanup.push(() => bot.close());

    let victim: ChildProcess | undefined;
    let entryId: string | undefined;
    // The kill happens as the entry request reaches the exchange: the order is placed, its protection never sent.
    const sim = await simOverStore(storePath, config, undefined, undefined, {
      onRequest: (r) => {
        if (victim && r.method === 'POST' && r.path === '/fapi/v1/order' && /-E$/.test(r.params['newClientOrderId'] ?? '')) {
          entryId = r.params['newClientOrderId'];
          victim.kill('SIGKILL');
          victim = undefined;
        }
      },
    });
    cleanup.push(() => sim.close());
    const yaml = join(dir, 'xylen.yaml');
    const journal = join(dir, 'live-crash.duckdb');
    writeFileSync(
      yaml,
      [
        'dry_run: false',
        'testnet: true',
        'ensemble: { threshold: 0.3 }',
        'risk: { stop_loss_pct: 0.004, take_profit_pct: 0.006, leverage: 5, max_consecutive_losses: 1000, max_daily_trades: 1000 }',
        `exchange: { base_url: "${sim.url}", api_key: "\${SIM_KEY}", api_secret: "\${SIM_SECRET}" }`,
        `live: { journal: "${journal}", control_port: 0, control_token_env: XYLEN_TEST_CONTROL_TOKEN }`,
        `alerts: { telegram_token: "\${TG_TOKEN}", telegram_chat_id: "42", telegram_api_url: "${bot.url}", min_interval_ms: 0 }`,
      ].join('\n'),
    );
    const env = { SIM_KEY, SIM_SECRET, TG_TOKEN, XYLEN_TEST_CONTROL_TOKEN: CONTROL_TOKEN };
    const args = ['--db', storePath, '--config', yaml, 'live'];

    const first = startLive(args, env);
    victim = first.process;
    const control1 = String((await first.line('control_api'))['url']);
    await first.line('live_started');
    let bars = 0;
    while (!entryId && bars++ < 2000) {
      if (!(await sim.step())) break;
      await waitHandled(control1, sim.market.lastClose, () => entryId !== undefined);
    }
    expect(entryId).toBeDefined();
    expect(await first.exited).toBeNull();
    const ts = entryId!.replace(/^xy-(\d+)-E$/, '$1');
    expect(sim.requests.filter((r) => r.path === '/fapi/v1/algoOrder' && r.params['clientAlgoId']?.startsWith(`xy-${ts}-`))).toHaveLength(0);
    await sim.step(); // the entry fills at the next open while no Xylen runs: an unprotected position
    const held = sim.venue.account().quantity;
    expect(held).not.toBe(0);

    const second = startLive(args, env);
    const control2 = String((await second.line('control_api'))['url']);
    const started = await second.line('live_started');
    expect(started['reconciled']).toBe('adopted');
    const algos = sim.venue.openOrders(true).map((o) => o.clientId).sort();
    expect(algos).toEqual([`xy-${ts}-SL`, `xy-${ts}-TP`]);
    const status = (await (await fetch(`${control2}/status`)).json()) as { position: number };
    expect(status.position).toBe(held);

    // Carry on until the adopted trade closes on its protection.
    let after = 0;
    for (; after < 1500 && sim.venue.account().quantity !== 0; after++) await stepAndWait(sim, control2);
    expect(sim.venue.account().quantity).toBe(0);
    await stepAndWait(sim, control2);
    const metrics = await (await fetch(`${control2}/metrics`)).text();
    expect(metrics).toMatch(/xylen_trades_total 1/);
    expect(metrics).toMatch(/xylen_model_latency_seconds_count\{model="rsi"\} [1-9]/);
    const models = (await (await fetch(`${control2}/models`)).json()) as { name: string; healthy: boolean; latencyMs: number }[];
    expect(models.map((m) => m.name)).toEqual(['momentum', 'mean_reversion', 'macd_cross', 'rsi']);
    expect(models.every((m) => m.healthy && m.latencyMs >= 0)).toBe(true);
    const decisions = (await (await fetch(`${control2}/decisions?limit=3`)).json()) as { votes: unknown[] }[];
    expect(decisions).toHaveLength(3);
    expect(decisions.every((d) => d.votes.length === 4)).toBe(true);
    // Nothing was placed twice: one request per client order id of this trade, none refused as duplicated.
    for (const suffix of ['E', 'SL', 'TP']) {
      const id = `xy-${ts}-${suffix}`;
      expect(sim.requests.filter((r) => r.method === 'POST' && (r.params['newClientOrderId'] === id || r.params['clientAlgoId'] === id))).toHaveLength(1);
    }
    expect(sim.requests.some((r) => r.code === -4116)).toBe(false);

    // The control API refuses a stop without the token, and stops with it.
    expect((await fetch(`${control2}/stop`, { method: 'POST' })).status).toBe(401);
    const stopped = await fetch(`${control2}/stop`, { method: 'POST', headers: { authorization: `Bearer ${CONTROL_TOKEN}` } });
    expect(await stopped.json()).toMatchObject({ stopped: true, flattened: false });
    expect(await second.exited).toBe(0);

    // Alerts reached the (fake) Bot API; no output holds a secret.
    await new Promise((r) => setTimeout(r, 100));
    expect(telegram.some((t) => t.includes('Trade closed'))).toBe(true);
    expect(telegram.some((t) => t.includes('stopped'))).toBe(true);
    const outputs = [...first.output, ...second.output, metrics, ...telegram, JSON.stringify(sim.requests), readFileSync(journal).toString('latin1')];
    for (const secret of [SIM_KEY, SIM_SECRET, TG_TOKEN, CONTROL_TOKEN]) for (const text of outputs) expect(text.includes(secret)).toBe(false);
  });
});
