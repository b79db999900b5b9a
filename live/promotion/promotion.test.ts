import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XylenConfig } from '../../config/index.ts';
import { Store } from '../../data/index.ts';
import type { HeartbeatRecord, JournalRecord } from '../../engine/index.ts';
import { listRuns, readJournal } from '../../research/index.ts';
import { runStoredReplay } from '../../research/replay/runStoredReplay.ts';
import { SHARED_MODELS } from '../../test/paths.ts';
import { runXylen } from '../../test/runXylen.ts';
import type { ExchangeSim } from '../exchange-sim/index.ts';
import { startLiveProcess, type LiveProcess } from '../LiveProcess.ts';
import { FROM, importedStore, liveConfigFor, parityConfig, simOverStore, TO } from '../test/liveFixture.ts';
import { loadPromotedConfig } from './loadPromotedConfig.ts';
import { promotedConfigPath } from './promotedConfigFile.ts';
import { listPromotions } from './promotionsTable.ts';
import { fileSha256 } from '../../model-servers/registry/index.ts';

const TOKEN_ENV = 'XYLEN_PROMOTE_TEST_TOKEN';
const TOKEN = 'promoteTestTokenNeverLogged0123456789';
const ENGINE_NAMES = ['ret_1', 'ret_12', 'rsi_14', 'volume_z_48', 'ema_dist_9', 'ema_dist_21', 'macd_hist_rel', 'bb_pctb_20', 'bb_width_20', 'atr_rel_14'];
const RANGE = { market: 'usdm' as const, symbol: 'BTCUSDT', from: FROM, to: TO };

let dir: string;
let storePath: string;
let onnx: string;
/** The live setup's own config (what it starts with), and the run to promote: another method, threshold and model set. */
let configA: XylenConfig;
let configB: XylenConfig;
const runs: Record<'A' | 'B' | 'mismatch' | 'invalid', string> = { A: '', B: '', mismatch: '', invalid: '' };
let replayed: Record<'A' | 'B', HeartbeatRecord[]>;

beforeAll(async () => {
  ({ dir, storePath } = await importedStore());
  onnx = join(dir, 'mlp.onnx');
  copyFileSync(join(SHARED_MODELS, 'torch_mlp.onnx'), onnx);
  writeFileSync(join(dir, 'mlp.card.json'), JSON.stringify({ id: 'mlp', version: 1, features: ENGINE_NAMES }));
  configA = parityConfig({ live: { control_port: 0, control_token_env: TOKEN_ENV } });
  configB = parityConfig({
    models: [
      { name: 'macd_cross', kind: 'rule', rule: 'macd_cross' },
      { name: 'rsi', kind: 'rule', rule: 'rsi' },
      { name: 'mlp', kind: 'onnx', path: onnx },
    ],
    ensemble: { method: 'majority', threshold: 0.7, quorum: 2 },
    risk: { stop_loss_pct: 0.005, take_profit_pct: 0.008, leverage: 4, max_consecutive_losses: 1000, max_daily_trades: 1000 },
  });
  const store = await Store.open(storePath);
  try {
    const replay = async (config: XylenConfig) => (await runStoredReplay(store, config, RANGE)).runId;
    runs.A = await replay(configA);
    runs.B = await replay(configB);
    // The replay records the SHA-256 of each model file it ran (model-servers' registry work); make sure run B has it.
    const [stored] = await store.all(`SELECT manifest FROM runs WHERE run_id = $1`, [runs.B]);
    const withSha = JSON.parse(stored!['manifest'] as string) as { models: { name: string; sha256?: string }[] };
    const mlp = withSha.models.find((m) => m.name === 'mlp')!;
    mlp.sha256 ??= await fileSha256(onnx);
    await store.connection.run(`UPDATE runs SET manifest = $2 WHERE run_id = $1`, [runs.B, JSON.stringify(withSha)]);
    runs.mismatch = await replay(parityConfig({ intervals: { decision: '15m' } }));
    // A stored run whose config no longer passes the schema (an older Xylen, a hand-edited store).
    runs.invalid = await replay(configB);
    const [row] = await store.all(`SELECT manifest FROM runs WHERE run_id = $1`, [runs.invalid]);
    const manifest = JSON.parse(row!['manifest'] as string) as { config: { ensemble: { threshold: number } } };
    manifest.config.ensemble.threshold = 7;
    await store.connection.run(`UPDATE runs SET manifest = $2 WHERE run_id = $1`, [runs.invalid, JSON.stringify(manifest)]);
    const beats = async (id: string) => (await readJournal(store, id)).filter((r): r is HeartbeatRecord => r.type === 'heartbeat');
    replayed = { A: await beats(runs.A), B: await beats(runs.B) };
  } finally {
    store.close();
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A yaml for the CLI: the live setup's token variable and port (the store comes with --db). */
function cliConfig(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [`live: { control_token_env: ${TOKEN_ENV}, ${lines.join(', ')} }`].join('\n'));
  return path;
}

const decisionOf = (b: HeartbeatRecord) => ({ ts: b.ts, action: b.action, confidence: b.confidence, votes: b.votes.map((v) => ({ model: v.model, action: v.action, confidence: v.confidence })) });

describe('xylen promote: a running live process takes another run\'s configuration at its next heartbeat', () => {
  let sim: ExchangeSim;
  let live: LiveProcess;
  const logs: string[] = [];

  afterAll(async () => {
    await live?.stop(false).catch(() => undefined);
    await sim?.close();
  });

  it('refuses bad promotions and changes nothing; applies a good one mid-run, with a position open, without a restart; journals and records it', { timeout: 240_000 }, async () => {
    sim = await simOverStore(storePath, configA);
    const liveConfig = liveConfigFor(sim, configA, dir);
    process.env[TOKEN_ENV] = TOKEN;
    try {
      live = await startLiveProcess(liveConfig, { storePath, print: (line) => logs.push(line) });
    } finally {
      delete process.env[TOKEN_ENV];
    }
    const url = live.control.url;
    const { session } = live;
    const step = async () => {
      if (!(await sim.step())) throw new Error('the simulator ran out of candles');
      await session.runner.handled(sim.market.lastClose);
    };
    const getConfig = async () => (await (await fetch(`${url}/config`)).json()) as { config: XylenConfig; promotion: { promotionId: string; appliedAt?: number } | null; pending: unknown };
    const yaml = cliConfig('promote.yaml', []);
    const promote = (run: string, extra: string[] = ['--yes']) =>
      runXylen(['--db', storePath, '--config', yaml, 'promote', run, '--live', url, '--by', 'tester', ...extra], { [TOKEN_ENV]: TOKEN });
    const promotedFile = promotedConfigPath(liveConfig, storePath);

    // Trade a while under A, until a position is open.
    for (let i = 0; i < 60; i++) await step();
    while (sim.venue.account().quantity === 0) await step();

    // Bad promotions: each refused with its code, exit 2, and nothing changes.
    const before = await getConfig();
    expect(before).toMatchObject({ promotion: null, pending: null, config: { ensemble: { method: 'weighted_vote', threshold: 0.3 } } });
    const unknown = await promote('run-20990101-000000-dead');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('RUN_NOT_FOUND')]);
    const mismatch = await promote(runs.mismatch);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/PROMOTION_MISMATCH.*intervals\.decision: run 15m, live 5m/s);
    const invalid = await promote(runs.invalid);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/CONFIG_INVALID.*ensemble\.threshold/s);
    const unconfirmed = await promote(runs.B, []); // no --yes and no terminal: the evidence is shown, nothing is done
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain(`Run ${runs.B}`);
    expect(unconfirmed.stdout).toMatch(/ensemble\.method: "weighted_vote" → "majority"/);
    expect(unconfirmed.stderr).toContain('CONFIRMATION_NEEDED');
    // Straight to the control API: no token, a malformed body, masked secrets, a model file the run did not use.
    const body = JSON.parse((await runXylen(['--db', storePath, '--config', yaml, 'runs', 'show', runs.B, '--json'])).stdout) as { manifest: { models: unknown[] } };
    const good = {
      promotionId: 'pr-20250510-120000-abcd',
      runId: runs.B,
      promotedBy: 'tester',
      promotedAt: new Date().toISOString(),
      target: { market: 'usdm', symbol: 'BTCUSDT', decisionInterval: '5m', contextInterval: '1h' },
      settings: { models: configB.models, ensemble: configB.ensemble, sizing: configB.sizing, risk: configB.risk },
      models: body.manifest.models,
    };
    const post = (b: unknown, token = TOKEN) => fetch(`${url}/config`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(b) });
    expect((await post(good, 'not-the-token-at-all-0123456789abcdef')).status).toBe(401);
    expect((await post({ ...good, runId: 'nope' })).status).toBe(400);
    const masked = await post({ ...good, settings: { ...good.settings, models: [{ ...configB.models[2], path: '***' }] } });
    expect([masked.status, ((await masked.json()) as { error: string }).error]).toEqual([422, 'MASKED_SECRET']);
    const schema = await post({ ...good, settings: { ...good.settings, ensemble: { ...configB.ensemble, method: 'coin_flip' } } });
    expect([schema.status, ((await schema.json()) as { error: string }).error]).toEqual([422, 'CONFIG_INVALID']);
    const otherFile = await post({ ...good, models: [{ name: 'mlp', kind: 'onnx', sha256: '0'.repeat(64) }] });
    expect([otherFile.status, ((await otherFile.json()) as { error: string }).error]).toEqual([422, 'MODEL_FILE_CHANGED']);
    const otherSymbol = await post({ ...good, target: { ...good.target, symbol: 'ETHUSDT' } });
    expect(otherSymbol.status).toBe(409);
    expect(await getConfig()).toEqual(before);
    expect(existsSync(promotedFile)).toBe(false);
    {
      const store = await Store.open(storePath, { readOnly: true });
      expect(await listPromotions(store)).toEqual([]);
      store.close();
    }
    await step(); // a heartbeat or not, the refused ones leave no trace
    expect(await getConfig()).toEqual(before);

    // The good one, while a position is open.
    const protective = sim.venue.openOrders(true).map((o) => o.clientId).sort();
    expect(protective).toHaveLength(2);
    const held = sim.venue.account().quantity;
    const result = await promote(runs.B, ['--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout) as { promotionId: string; status: string; plan: { changes: string[]; evidence: { metrics: { trades: number } } } };
    expect(outcome.status).toBe('pending');
    expect(outcome.plan.changes).toEqual(expect.arrayContaining(['ensemble.method: "weighted_vote" → "majority"', 'ensemble.threshold: 0.3 → 0.7']));
    expect((await getConfig()).pending).toMatchObject({ promotionId: outcome.promotionId, runId: runs.B });
    expect(JSON.parse(readFileSync(promotedFile, 'utf8'))).toMatchObject({ promotionId: outcome.promotionId, runId: runs.B, promotedBy: 'tester' });
    // Nothing applies before the next heartbeat: base bars go by under A.
    const decisionMs = 5 * 60_000;
    const nextBeat = Math.floor(sim.market.lastClose / decisionMs) * decisionMs + decisionMs;
    while (sim.market.lastClose < nextBeat - 60_000) {
      await step();
      expect((await getConfig()).promotion).toBeNull();
    }
    await step();
    const applied = await getConfig();
    expect(applied.promotion).toMatchObject({ promotionId: outcome.promotionId, appliedAt: nextBeat });
    expect(applied.config.ensemble).toMatchObject({ method: 'majority', threshold: 0.7 });
    expect(applied.config.models.map((m) => m.name)).toEqual(['macd_cross', 'rsi', 'mlp']);
    // The open position kept its exchange-side protection through the switch.
    expect(sim.venue.account().quantity).toBe(held);
    expect(sim.venue.openOrders(true).map((o) => o.clientId).sort()).toEqual(protective);

    // Carry on under B until the old trade has closed on its protection, and a good while after.
    for (let bars = 0; sim.venue.account().quantity !== 0; bars++) {
      if (bars > 1500) throw new Error('the trade open at the switch never closed');
      await step();
    }
    for (let bars = 0; bars < 180; bars++) await step();
    const status = (await (await fetch(`${url}/status`)).json()) as { runId: string; startedAt: string; promotion: { promotionId: string } };
    expect(status).toMatchObject({ runId: session.runId, promotion: { promotionId: outcome.promotionId } });
    await live.stop(false);
    await live.done;

    const journalStore = await Store.open(session.journalPath, { readOnly: true });
    let journal: JournalRecord[];
    try {
      expect((await listRuns(journalStore)).map((r) => r.runId)).toEqual([session.runId]); // one run: no restart
      journal = await readJournal(journalStore, session.runId);
    } finally {
      journalStore.close();
    }
    const changes = journal.filter((r) => r.type === 'config');
    expect(changes).toHaveLength(1);
    const change = changes[0]!;
    expect(change).toMatchObject({ ts: nextBeat, promotionId: outcome.promotionId, sourceRunId: runs.B, promotedBy: 'tester', position: held });
    expect(JSON.parse(change.previous)).toMatchObject({ ensemble: { method: 'weighted_vote', threshold: 0.3 } });
    expect(JSON.parse(change.next)).toMatchObject({ ensemble: { method: 'majority', threshold: 0.7 }, risk: { stop_loss_pct: 0.005 } });
    // The change is journaled right before the heartbeat it applies to.
    const at = journal.indexOf(change);
    expect(journal.slice(at + 1).find((r) => r.type === 'heartbeat')?.ts).toBe(nextBeat);

    const beats = journal.filter((r): r is HeartbeatRecord => r.type === 'heartbeat');
    expect(beats.map((b) => b.row)).toEqual(beats.map((_, i) => beats[0]!.row + i)); // one unbroken run of decisions
    const byTs = (list: HeartbeatRecord[]) => new Map(list.map((b) => [b.ts, b]));
    const replayA = byTs(replayed.A);
    const replayB = byTs(replayed.B);
    const earlier = beats.filter((b) => b.ts < nextBeat);
    const later = beats.filter((b) => b.ts >= nextBeat);
    expect(earlier.length).toBeGreaterThanOrEqual(12);
    expect(later.length).toBeGreaterThan(24);
    // Before: A's decisions (the parity of live and replay); from the switch on: B's, vote for vote.
    expect(earlier.map((b) => ({ ...decisionOf(b), outcome: b.outcome }))).toEqual(earlier.map((b) => ({ ...decisionOf(replayA.get(b.ts)!), outcome: replayA.get(b.ts)!.outcome })));
    expect(later.map(decisionOf)).toEqual(later.map((b) => decisionOf(replayB.get(b.ts)!)));
    // B's threshold decides: flat, a 2-of-3 majority (0.67) is below it where A's 0.3 would have traded.
    const flat = later.filter((b) => b.quantity === 0 && b.action !== 'hold');
    expect(flat.filter((b) => b.outcome === 'BELOW_THRESHOLD').length).toBeGreaterThan(3);
    for (const b of flat) expect(b.outcome === 'BELOW_THRESHOLD').toBe(b.confidence < 0.7);
    // The trade open at the switch closed on the stop-loss or take-profit placed under A.
    const closed = journal.filter((r) => r.type === 'trade' && r.ts > nextBeat && r.entryTs < nextBeat);
    expect(closed).toHaveLength(1);
    expect(['STOP_LOSS', 'TAKE_PROFIT']).toContain((closed[0] as { exitReason: string }).exitReason);

    // The store records who promoted which run, replacing what, on which evidence.
    const store = await Store.open(storePath, { readOnly: true });
    try {
      const [record, ...rest] = await listPromotions(store);
      expect(rest).toEqual([]);
      expect(record).toMatchObject({ promotionId: outcome.promotionId, promotedBy: 'tester', runId: runs.B, delivery: 'running', liveUrl: url, previousPromotionId: null });
      expect(record!.previousConfig).toMatchObject({ ensemble: { method: 'weighted_vote', threshold: 0.3 } });
      expect(record!.config).toMatchObject({ ensemble: { method: 'majority', threshold: 0.7 } });
      expect(record!.evidence).toMatchObject({ runId: runs.B, metrics: { trades: outcome.plan.evidence.metrics.trades } });
    } finally {
      store.close();
    }
    // A restart comes up with the promotion in force.
    const restarted = await loadPromotedConfig(liveConfig, storePath);
    expect(restarted.promotion).toMatchObject({ promotionId: outcome.promotionId, via: 'start' });
    expect(restarted.config.ensemble.method).toBe('majority');
    expect(restarted.config.exchange).toEqual(liveConfig.exchange);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });
});

describe('xylen promote with no live process running', () => {
  it('records the promotion and keeps it for the next start; the history lists it', async () => {
    const port = await freePort();
    const journal = join(dir, 'live-offline.duckdb');
    const yaml = cliConfig('offline.yaml', [`control_port: ${port}`, `journal: "${journal}"`]);
    const result = await runXylen(['--db', storePath, '--config', yaml, 'promote', runs.B, '--yes', '--by', 'night-shift']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('no live process answered');
    const kept = join(dir, 'live-offline.promoted.json');
    expect(result.stdout).toContain(kept);
    const local = parityConfig({ live: { control_port: port, control_token_env: TOKEN_ENV, journal } });
    const loaded = await loadPromotedConfig(local, storePath);
    expect(loaded.config.models.map((m) => m.name)).toEqual(['macd_cross', 'rsi', 'mlp']);
    expect(loaded.config.ensemble.method).toBe('majority');
    const history = await runXylen(['--db', storePath, 'promote', '--history', '--json']);
    const rows = JSON.parse(history.stdout) as { runId: string; promotedBy: string; delivery: string }[];
    expect(rows[0]).toMatchObject({ runId: runs.B, promotedBy: 'night-shift', delivery: 'next-start' });
    // A model file changed since the run: the next start refuses it by name instead of trading another model.
    writeFileSync(onnx, Buffer.concat([readFileSync(onnx), Buffer.from([0])]));
    await expect(loadPromotedConfig(local, storePath)).rejects.toThrow(/MODEL_FILE_CHANGED|not the file the run used/);
    // `--live` given and nothing there: an error, nothing recorded.
    const unreachable = await runXylen(['--db', storePath, '--config', yaml, 'promote', runs.A, '--yes', '--live', `http://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('LIVE_UNREACHABLE');
    expect(JSON.parse((await runXylen(['--db', storePath, 'promote', '--history', '--json'])).stdout)).toHaveLength(rows.length);
  });
});

describe('xylen promote shows a sweep\'s statistics for a run the sweep journaled', () => {
  it('rank among the trials, DSR, PSR and PBO, before asking', { timeout: 120_000 }, async () => {
    const grid = join(dir, 'grid.yaml');
    writeFileSync(grid, 'ensemble.threshold: [0.3, 0.45, 0.6, 0.75]\nensemble.method: [weighted_vote, majority]\n');
    const yaml = cliConfig('sweep.yaml', [`control_port: ${await freePort()}`, `journal: "${join(dir, 'live-sweep.duckdb')}"`]);
    const sweep = await runXylen(['--db', storePath, '--config', yaml, 'sweep', '--grid', grid, '--from', '2025-05-10', '--to', '2025-05-12', '--workers', '0', '--journal', '1', '--json']);
    expect(sweep.code, sweep.stderr).toBe(0);
    const { journaled } = JSON.parse(sweep.stdout) as { journaled: { runId: string }[] };
    expect(journaled).toHaveLength(1);
    const shown = await runXylen(['--db', storePath, '--config', yaml, 'promote', journaled[0]!.runId]); // no --yes, no terminal: shows, refuses
    expect(shown.code).toBe(2);
    const line = shown.stdout.split('\n').find((l) => l.trim().startsWith('sweep'))!;
    expect(line).toMatch(/rank 1 of 8 by Sharpe, DSR [01]\.\d{3}, PSR [01]\.\d{3}, PBO ([01]\.\d{3}|—)/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
