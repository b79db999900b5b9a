// One model server on loopback (its own process, as in live), asked by HttpModelClient over keep-alive:
// sequential single-snapshot predictions per second (target ≥ 5,000/s), and latency percentiles at a paced
// 1,000 requests/s for 5 s (target p99 ≤ 5 ms).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadModel } from '../model-servers/index.ts';
import { HttpModelClient } from '../model-servers/client/index.ts';
import { REPO_ROOT, SHARED_MODELS } from '../test/paths.ts';
import type { ModelRequest } from '../engine/index.ts';

const MODEL = join(SHARED_MODELS, 'torch_mlp.onnx');
const SEQUENTIAL = 20_000;
const PACED_RATE = 1_000;
const PACED_SECONDS = 5;

const SERVE = `
import { Command } from 'commander';
import { registerModelServer } from './cli/commands/modelServer.ts';
const program = new Command('xylen');
registerModelServer(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });
`;

export async function run(): Promise<void> {
  const features = (await loadModel(MODEL)).card.features;
  const dir = await mkdtemp(join(tmpdir(), 'xylen-model-server-bench-'));
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SERVE, 'model-server', '--model', MODEL, '--port', '0', '--samples', join(dir, 's.jsonl')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((found, fail) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) found(match[1]!);
    });
    child.once('exit', () => fail(new Error(`model server exited: ${stderr}`)));
  });
  const client = new HttpModelClient({ url, timeoutMs: 5_000 });
  try {
    // Rows vary so that no cache can answer; 64 distinct snapshots cycle.
    const requests: ModelRequest[] = Array.from({ length: 64 }, (_, r) => ({
      ts: r,
      row: r,
      features: Float64Array.from(features, (_, c) => Math.sin(r * 7 + c) * (c === 2 ? 50 : 1) + (c === 2 ? 50 : 0)),
      names: features,
    }));
    for (let i = 0; i < 2_000; i++) await client.predict(requests[i % 64]!);

    let started = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) await client.predict(requests[i % 64]!);
    const seconds = (performance.now() - started) / 1000;
    console.log(`sequential single-snapshot predictions (keep-alive): ${Math.round(SEQUENTIAL / seconds).toLocaleString('en-US')}/s over ${SEQUENTIAL.toLocaleString('en-US')} (target ≥ 5,000/s)`);

    const total = PACED_RATE * PACED_SECONDS;
    const latencies = new Float64Array(total);
    const inFlight: Promise<void>[] = [];
    started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / PACED_RATE;
      // Sleep to each due time (absolute, so a late timer sends a short burst rather than slowing the pace);
      // spinning instead would take a core from the server on a 2-core machine.
      const ahead = due - performance.now();
      if (ahead > 0) await sleep(ahead);
      const sent = performance.now();
      inFlight.push(client.predict(requests[i % 64]!).then(() => void (latencies[i] = performance.now() - sent)));
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort();
    const at = (p: number) => latencies[Math.min(total - 1, Math.ceil((p / 100) * total) - 1)]!.toFixed(2);
    console.log(
      `paced ${PACED_RATE.toLocaleString('en-US')} req/s for ${PACED_SECONDS} s (achieved ${Math.round(total / elapsed)}/s): latency p50 ${at(50)} ms, p90 ${at(90)} ms, p99 ${at(99)} ms, max ${latencies[total - 1]!.toFixed(2)} ms (target p99 ≤ 5 ms)`,
    );
    const health = (await (await fetch(`${url}/health`)).json()) as { latencyMs: { p50: number; p99: number } };
    console.log(`server-side /predict handling (its /health window): p50 ${health.latencyMs.p50.toFixed(3)} ms, p99 ${health.latencyMs.p99.toFixed(3)} ms`);
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
