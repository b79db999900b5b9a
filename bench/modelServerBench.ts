// One model server on loopback (its own process, as in live), asked by HttpModelClient over keep-alive:
// single-snapshot predictions per second (target ≥ 5,000/s) sequentially on one connection and with four
// concurrent keep-alive connections, the CPU each side spends per request, and latency percentiles at a paced
// 1,000 requests/s for 5 s (target p99 ≤ 5 ms). Then four servers, asked in parallel as the coordinator asks them,
// with the ensemble's decision: snapshot to decision p99 (target ≤ 20 ms).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadModel } from '../model-servers/index.ts';
import { HttpModelClient } from '../model-servers/client/index.ts';
import { REPO_ROOT, SHARED_MODELS } from '../test/paths.ts';
import { Ensemble, type ModelRequest } from '../engine/index.ts';

const MODEL = join(SHARED_MODELS, 'torch_mlp.onnx');
const SEQUENTIAL = 20_000;
const PACED_RATE = 1_000;
const PACED_SECONDS = 5;

const CONCURRENT = 4;

const DECISIONS = 2_000;

/** CPU time (user + system) a process has used, in µs, from /proc (Linux); NaN elsewhere. */
function processCpuUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks of 1/100 s
  } catch {
    return Number.NaN;
  }
}

/** `xylen model-server` in a process of its own on a free loopback port. */
async function startServer(dir: string, name: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'xylen.js'), 'model-server', '--model', MODEL, '--port', '0', '--samples', join(dir, `${name}.jsonl`)], {
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
  return { url, pid: child.pid!, stop: () => new Promise<void>((done) => (child.once('exit', () => done()), child.kill('SIGTERM'))) };
}

function percentile(sorted: Float64Array, p: number): string {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(2);
}

export async function run(): Promise<void> {
  const features = (await loadModel(MODEL)).card.features;
  const dir = await mkdtemp(join(tmpdir(), 'xylen-model-server-bench-'));
  const server = await startServer(dir, 'one');
  const { url } = server;
  const client = new HttpModelClient({ url, timeoutMs: 5_000, maxConcurrency: CONCURRENT });
  try {
    // Rows vary so that no cache can answer; 64 distinct snapshots cycle.
    const requests: ModelRequest[] = Array.from({ length: 64 }, (_, r) => ({
      ts: r,
      row: r,
      features: Float64Array.from(features, (_, c) => Math.sin(r * 7 + c) * (c === 2 ? 50 : 1) + (c === 2 ? 50 : 0)),
      names: features,
    }));
    for (let i = 0; i < 2_000; i++) await client.predict(requests[i % 64]!);

    const cpu = (what: string, run: () => Promise<void>) => async () => {
      const server0 = processCpuUs(server.pid);
      const client0 = process.cpuUsage();
      const t0 = performance.now();
      await run();
      const seconds = (performance.now() - t0) / 1000;
      const clientUs = process.cpuUsage(client0);
      const perRequest = (us: number) => (us / SEQUENTIAL).toFixed(0);
      console.log(
        `${what}: ${Math.round(SEQUENTIAL / seconds).toLocaleString('en-US')}/s over ${SEQUENTIAL.toLocaleString('en-US')} (target ≥ 5,000/s); CPU per request: server ${perRequest(processCpuUs(server.pid) - server0)} µs, client ${perRequest(clientUs.user + clientUs.system)} µs`,
      );
    };
    await cpu('sequential single-snapshot predictions, one keep-alive connection', async () => {
      for (let i = 0; i < SEQUENTIAL; i++) await client.predict(requests[i % 64]!);
    })();
    await cpu(`single-snapshot predictions from ${CONCURRENT} concurrent keep-alive connections`, async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          while (next < SEQUENTIAL) await client.predict(requests[next++ % 64]!);
        }),
      );
    })();
    let started: number;

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
    const at = (p: number) => percentile(latencies, p);
    console.log(
      `paced ${PACED_RATE.toLocaleString('en-US')} req/s for ${PACED_SECONDS} s (achieved ${Math.round(total / elapsed)}/s): latency p50 ${at(50)} ms, p90 ${at(90)} ms, p99 ${at(99)} ms, max ${latencies[total - 1]!.toFixed(2)} ms (target p99 ≤ 5 ms)`,
    );
    const health = (await (await fetch(`${url}/health`)).json()) as { latencyMs: { p50: number; p99: number } };
    console.log(`server-side /predict handling (its /health window): p50 ${health.latencyMs.p50.toFixed(3)} ms, p99 ${health.latencyMs.p99.toFixed(3)} ms`);

    // Four servers asked in parallel, then the ensemble: what a live heartbeat costs.
    const four = await Promise.all(['a', 'b', 'c', 'd'].map((name) => startServer(dir, name)));
    const clients = four.map((s, i) => new HttpModelClient({ url: s.url, name: `m${i}`, timeoutMs: 5_000 }));
    const ensemble = new Ensemble({ method: 'weighted_vote', quorum: 3, weights: {}, window: 50, decay: 0.95 });
    const ask = async (request: ModelRequest) => {
      const answers = await Promise.all(clients.map(async (c) => [c.name, await c.predict(request)] as const));
      return ensemble.decide(new Map(answers));
    };
    try {
      for (let i = 0; i < 500; i++) await ask(requests[i % 64]!);
      const decisionMs = new Float64Array(DECISIONS);
      for (let i = 0; i < DECISIONS; i++) {
        const sent = performance.now();
        await ask(requests[i % 64]!);
        decisionMs[i] = performance.now() - sent;
      }
      decisionMs.sort();
      console.log(
        `snapshot → decision with 4 model servers (parallel, keep-alive), ${DECISIONS.toLocaleString('en-US')} decisions: p50 ${percentile(decisionMs, 50)} ms, p99 ${percentile(decisionMs, 99)} ms, max ${decisionMs[DECISIONS - 1]!.toFixed(2)} ms (target p99 ≤ 20 ms)`,
      );
    } finally {
      for (const c of clients) c.close();
      await Promise.all(four.map((s) => s.stop()));
    }
  } finally {
    client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
