import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryJournal, type JournalRecord } from '../engine/index.ts';
import { journalHash } from '../research/journal/journalHash.ts';
import { replayInputs } from '../research/replay/replayInputs.ts';
import { syntheticInputs, testConfig } from '../research/replay/test/syntheticInputs.ts';
import { REPO_ROOT, SHARED_MODELS } from '../test/paths.ts';

// The fixtures' 10 inputs renamed to engine features (as in replayWithModels.test.ts): mechanically valid models.
const ENGINE_NAMES = ['ret_1', 'ret_12', 'rsi_14', 'volume_z_48', 'ema_dist_9', 'ema_dist_21', 'macd_hist_rel', 'bb_pctb_20', 'bb_width_20', 'atr_rel_14'];

let dir: string;
const servers: ChildProcess[] = [];
let mlpServer: ChildProcess;
const paths = { mlp: '', xgb: '' };
const urls = { mlp: '', xgb: '' };

/** `xylen model-server` in a process of its own on a free loopback port; resolves with its URL. */
function startServer(model: string, samples: string): Promise<string> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'xylen.js'), 'model-server', '--model', model, '--port', '0', '--samples', samples], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  servers.push(child);
  let stderr = '';
  return new Promise((found, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) found(match[1]!);
    });
    child.on('exit', (code) => fail(new Error(`model server exited (${code}) before listening: ${stderr}`)));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-swap-'));
  paths.mlp = join(dir, 'mlp.onnx');
  paths.xgb = join(dir, 'xgb.json');
  await copyFile(join(SHARED_MODELS, 'torch_mlp.onnx'), paths.mlp);
  await copyFile(join(SHARED_MODELS, 'xgb_softprob.json'), paths.xgb);
  await writeFile(join(dir, 'mlp.card.json'), JSON.stringify({ id: 'mlp', version: 1, features: ENGINE_NAMES }));
  await writeFile(join(dir, 'xgb.card.json'), JSON.stringify({ id: 'xgb', version: 1, features: ENGINE_NAMES }));
  [urls.mlp, urls.xgb] = await Promise.all([startServer(paths.mlp, join(dir, 'mlp.jsonl')), startServer(paths.xgb, join(dir, 'xgb.jsonl'))]);
  mlpServer = servers[0]!;
}, 60_000);

afterAll(async () => {
  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  await Promise.all(servers.map((child) => new Promise((done) => (running(child) ? (child.once('exit', done), child.kill('SIGTERM')) : done(null)))));
  await rm(dir, { recursive: true, force: true });
});

describe('swapping in-process models for model servers by configuration alone', () => {
  it('replays the same period with identical journals, in-process and against two real model-server processes', async () => {
    const inputs = syntheticInputs({ seed: 11, days: 2 });
    const shared = { ensemble: { quorum: 2, threshold: 0.3 } };
    const inProcess = testConfig({
      ...shared,
      models: [
        { name: 'mlp', kind: 'onnx', path: paths.mlp },
        { name: 'xgb', kind: 'xgboost', path: paths.xgb },
      ],
    });
    const overHttp = testConfig({
      ...shared,
      models: [
        { name: 'mlp', kind: 'http', endpoint: urls.mlp },
        { name: 'xgb', kind: 'http', endpoint: urls.xgb },
      ],
    });
    const local = new MemoryJournal();
    const remote = new MemoryJournal();
    await replayInputs(inputs, inProcess, local);
    await replayInputs(inputs, overHttp, remote);

    const votes = remote.votes();
    expect(votes.length).toBeGreaterThan(1000); // both models answered every decision of 2 days of 5m
    expect(new Set(votes.map((v) => v.model))).toEqual(new Set(['mlp', 'xgb']));
    expect(remote.ofType('heartbeat').every((d) => d.votes.length === 2)).toBe(true);
    expect(local.ofType('order').length).toBeGreaterThan(0); // the comparison covers trading, not only votes
    expect(remote.records).toEqual(local.records);
    expect(journalHash(remote.records)).toBe(journalHash(local.records));
  });

  it('keeps deciding with the other model when a server is killed mid-replay, and journals who was missing', async () => {
    const inputs = syntheticInputs({ seed: 12, days: 2 });
    const config = testConfig({
      ensemble: { quorum: 1, threshold: 0.3 },
      models: [
        { name: 'mlp', kind: 'http', endpoint: urls.mlp },
        { name: 'xgb', kind: 'http', endpoint: urls.xgb },
      ],
    });
    // Kill the mlp server from inside the run, at its 100th decision: the replay is then mid-flight.
    const journal = new MemoryJournal();
    let decisions = 0;
    const killing = {
      record(entry: JournalRecord) {
        journal.record(entry);
        if (entry.type === 'heartbeat' && ++decisions === 100) mlpServer.kill('SIGKILL');
      },
    };
    await replayInputs(inputs, config, killing);

    const all = journal.ofType('heartbeat');
    expect(all.length).toBeGreaterThan(500); // the run went on to the end
    expect(all.slice(0, 100).every((d) => d.votes.length === 2 && d.missing === undefined)).toBe(true);
    const firstMissing = all.findIndex((d) => d.missing !== undefined);
    expect(firstMissing).toBeGreaterThanOrEqual(100);
    const after = all.slice(firstMissing);
    expect(after.length).toBeGreaterThan(300);
    // Once gone it stays out (marked unhealthy, not re-admitted while down), and the other model still votes.
    expect(after.every((d) => d.votes.length === 1 && d.missing?.join() === 'mlp' && d.outcome !== 'NO_QUORUM')).toBe(true);
    const lateVotes = journal.votes().filter((p) => p.ts >= after[0]!.ts);
    expect(new Set(lateVotes.map((p) => p.model))).toEqual(new Set(['xgb']));
  });
});
