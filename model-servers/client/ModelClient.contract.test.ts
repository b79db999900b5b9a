import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionOfCode, XylenError, type ModelClient } from '../../engine/index.ts';
import { SHARED_MODELS } from '../../test/paths.ts';
import { loadModel, type ModelRuntime } from '../index.ts';
import { createModelServer } from '../server/index.ts';
import { HttpModelClient, InProcessModelClient, modelClientFor } from './index.ts';

// One suite, two implementations of the coordinator's ModelClient port: the same cases run against a model
// in-process and the same model behind a real model server on 127.0.0.1.

const fixture = (name: string) => join(SHARED_MODELS, name);
const versions = JSON.parse(await readFile(fixture('versions.json'), 'utf8')) as { features: string[] };

async function csv(name: string): Promise<{ header: string[]; rows: number[][] }> {
  const [header, ...lines] = (await readFile(fixture(name), 'utf8')).trim().split('\n');
  return { header: header!.split(','), rows: lines.map((line) => line.split(',').map(Number)) };
}

interface Setup {
  runtime: ModelRuntime;
  /** Where its model server listens. */
  url: string;
  /** The fixture rows and what the library that made the model predicted for them (p per class, card order). */
  inputs: { header: string[]; rows: number[][] };
  expected: number[][];
  clients: Record<'in-process' | 'http', ModelClient>;
  close(): Promise<void>;
}

async function setUp(model: string, inputs: string, expected: string): Promise<Setup> {
  const runtime = await loadModel(fixture(model), { card: { features: versions.features } });
  const app: FastifyInstance = createModelServer({ runtime, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const http = new HttpModelClient({ url, name: runtime.card.id });
  return {
    runtime,
    url,
    inputs: await csv(inputs),
    expected: (await csv(expected)).rows,
    clients: { 'in-process': new InProcessModelClient(runtime), http },
    async close() {
      http.close();
      await app.close();
      await runtime.close();
    },
  };
}

const setups: Record<string, Setup> = {};
beforeAll(async () => {
  setups['torch_mlp'] = await setUp('torch_mlp.onnx', 'torch_mlp.inputs.csv', 'torch_mlp.expected.csv');
  setups['xgb_softprob'] = await setUp('xgb_softprob.json', 'xgb_softprob.inputs.csv', 'xgb_softprob.expected.csv');
});
afterAll(async () => {
  for (const setup of Object.values(setups)) await setup.close();
});

// The engine sends its whole feature row: more names than the model reads, in its own order.
const engineNames = (header: readonly string[]) => ['close_z', ...[...header].reverse(), 'funding_rate'];
const engineRow = (header: readonly string[], row: readonly number[]) => Float64Array.from(engineNames(header), (name) => (header.includes(name) ? row[header.indexOf(name)]! : 123.5));

describe.each(['torch_mlp', 'xgb_softprob'])('model %s', (model) => {
  describe.each(['in-process', 'http'] as const)('through the %s client', (kind) => {
    it("answers every fixture row as the runtime does (1e-6) and as the library that made the model (1e-5)", async () => {
      const { runtime, inputs, expected, clients } = setups[model]!;
      const batch = await runtime.predict(Float32Array.from(inputs.rows.flat()), inputs.rows.length);
      const names = engineNames(inputs.header);
      for (const [r, row] of inputs.rows.entries()) {
        const answer = await clients[kind].predict({ ts: 1_700_000_000_000 + r * 300_000, row: r, features: engineRow(inputs.header, row), names });
        expect(answer.action).toBe(actionOfCode(batch.action[r]!));
        expect(Math.abs(answer.confidence - batch.confidence[r]!)).toBeLessThan(1e-6);
        expect(Math.abs(answer.confidence - Math.max(...expected[r]!))).toBeLessThan(1e-5);
      }
    });

    it('agrees with the runtime on random rows (property)', async () => {
      const { runtime, inputs, clients } = setups[model]!;
      const width = inputs.header.length;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: width, maxLength: width }), async (row) => {
          const direct = await runtime.predict(Float32Array.from(row), 1);
          const answer = await clients[kind].predict({ ts: 0, row: 0, features: Float64Array.from(row), names: inputs.header });
          expect(answer.action).toBe(actionOfCode(direct.action[0]!));
          expect(Math.abs(answer.confidence - direct.confidence[0]!)).toBeLessThan(1e-6);
        }),
        { numRuns: 40, seed: 4 },
      );
    });

    it('holds with confidence 0 on a row with a missing input, as the replay does', async () => {
      const { inputs, clients } = setups[model]!;
      const features = Float64Array.from(inputs.rows[0]!);
      features[3] = Number.NaN;
      expect(await clients[kind].predict({ ts: 0, row: 0, features, names: inputs.header })).toEqual({ action: 'hold', confidence: 0 });
    });

    it('rejects a request that lacks a model feature with MODEL_FEATURE_MISSING naming it', async () => {
      const { inputs, clients } = setups[model]!;
      const names = inputs.header.filter((name) => name !== 'rsi_14');
      const error = await clients[kind].predict({ ts: 0, row: 0, features: new Float64Array(names.length), names }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XylenError);
      expect((error as XylenError).code).toBe('MODEL_FEATURE_MISSING');
      expect((error as XylenError).exitCode).toBe(2);
      expect((error as XylenError).message).toContain('"rsi_14"');
      expect((error as XylenError).message).not.toContain('"ret_1"');
    });
  });
});

describe('modelClientFor: swap by configuration', () => {
  it('inproc:<id> and http://host:port give identical answers (exactly: JSON round-trips doubles) under one name', async () => {
    const { inputs } = setups['xgb_softprob']!;
    const { url } = setups['xgb_softprob']!;
    const loadInproc = (id: string) => loadModel(fixture(`${id}.json`), { card: { features: versions.features } });
    const inproc = await modelClientFor('inproc:xgb_softprob', { name: 'xgb', loadInproc });
    const http = await modelClientFor(url, { name: 'xgb', loadInproc, http: { timeoutMs: 2_000 } });
    try {
      expect([inproc.name, http.name]).toEqual(['xgb', 'xgb']);
      for (const [r, row] of inputs.rows.entries()) {
        const request = { ts: r, row: r, features: engineRow(inputs.header, row), names: engineNames(inputs.header) };
        expect(await http.predict(request)).toEqual(await inproc.predict(request));
      }
    } finally {
      await inproc.close();
      await http.close();
    }
  });

  it('refuses an endpoint that is neither, naming it', async () => {
    const loadInproc = () => Promise.reject(new Error('not called'));
    for (const endpoint of ['inproc:', 'https://models.example:8001', 'tcp://127.0.0.1:1', 'http://127.0.0.1:8001/predict']) {
      const error = await modelClientFor(endpoint, { name: 'm', loadInproc }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XylenError);
      expect((error as XylenError).code).toBe('MODEL_ENDPOINT_INVALID');
      expect((error as XylenError).where).toBe(endpoint);
    }
  });
});
