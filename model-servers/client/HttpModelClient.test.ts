import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { TradeOutcome } from '../../engine/index.ts';
import { SHARED_MODELS } from '../../test/paths.ts';
import { loadModel } from '../index.ts';
import { createModelServer, SampleStore } from '../server/index.ts';
import { HttpModelClient, InProcessModelClient } from './index.ts';

it('retrain posts each outcome with the features this client sent for its decision time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'xylen-http-retrain-'));
  const runtime = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
  const samples = await SampleStore.open(join(dir, 'samples.jsonl'));
  const app = createModelServer({ runtime, samples, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new HttpModelClient({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` });
  try {
    const names = [...runtime.card.features, 'extra'];
    const sent = Float64Array.from(names, (_, i) => i + 0.25);
    sent[1] = Number.NaN;
    await client.predict({ ts: 1_000, row: 3, features: sent, names });
    const outcome = (ts: number): TradeOutcome => ({ ts, row: 3, side: 'long', entryPrice: 100, exitPrice: 99, pnl: -0.01, label: 'short' });
    await client.retrain([outcome(1_000), outcome(2_000)]);
    await client.retrain([]);

    const lines = (await readFile(samples.path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as TradeOutcome & { features?: Record<string, number | null> });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ ...outcome(1_000), model: { id: 'torch_mlp', version: 1 } });
    expect(lines[0]!.features).toEqual(Object.fromEntries(names.map((name, i) => [name, i === 1 ? null : i + 0.25])));
    expect(lines[1]!.features).toBeUndefined(); // never predicted at that time by this client
  } finally {
    client.close();
    await app.close();
    await samples.close();
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('the in-process client stores outcomes with the features it was asked about, as the HTTP client does', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'xylen-inproc-retrain-'));
  const runtime = await loadModel(join(SHARED_MODELS, 'torch_mlp.onnx'));
  const samples = await SampleStore.open(join(dir, 'samples.jsonl'));
  const client = new InProcessModelClient(runtime, { samples });
  try {
    const names = [...runtime.card.features, 'extra'];
    const sent = Float64Array.from(names, (_, i) => i + 0.5);
    sent[2] = Number.NaN;
    await client.predict({ ts: 7_000, row: 1, features: sent, names });
    const outcome = (ts: number): TradeOutcome => ({ ts, row: 1, side: 'short', entryPrice: 100, exitPrice: 101, pnl: -0.01, label: 'long' });
    await client.retrain([outcome(7_000), outcome(8_000)]);
    const lines = (await readFile(samples.path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as TradeOutcome & { features?: Record<string, number | null> });
    expect(lines[0]).toMatchObject({ ...outcome(7_000), model: { id: 'torch_mlp', version: 1 } });
    expect(lines[0]!.features).toEqual(Object.fromEntries(names.map((name, i) => [name, i === 2 ? null : i + 0.5])));
    expect(lines[1]!.features).toBeUndefined();
  } finally {
    await samples.close();
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  }
});
