// Retraining at event time inside a replay (config `retrain_every`), on real BTCUSDT 5m + 1h candles: the same
// replay twice gives the same journal, the retrained model answers only after the outcomes that trained it, and
// every answer before that is the one the model gave without retraining.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryJournal, type TradeOutcome } from '../../engine/index.ts';
import { importPaths, Store } from '../../data/index.ts';
import type { XylenConfigInput } from '../../config/index.ts';
import { loadReplayData, type ReplayInputs } from '../../research/replay/loadReplayData.ts';
import { replayInputs } from '../../research/replay/replayInputs.ts';
import { testConfig } from '../../research/replay/test/syntheticInputs.ts';
import { JournalHasher } from '../../research/journal/journalHash.ts';
import { SHARED_DATA } from '../../test/paths.ts';
import { loadModel } from '../index.ts';
import { trainModel } from '../zoo/index.ts';
import { ReplayRetrainingClient } from './index.ts';
import { replayFeatures } from '../../research/replay/replayFeatures.ts';

const DIR = join(SHARED_DATA, 'binance-usdm/BTCUSDT');
const SERIES = { market: 'usdm', symbol: 'BTCUSDT', decisionInterval: '5m', contextInterval: '1h' } as const;
const EVERY = 10;

let dir: string;
let store: Store;
let modelPath: string;
let inputs: ReplayInputs;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-replay-retrain-'));
  store = await Store.open(join(dir, 'store.duckdb'));
  await importPaths(store, [join(DIR, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv'), join(DIR, 'BTCUSDT-1h-2023-01-01_2024-05-14.csv')], {});
  const { record } = await trainModel(store, { ...SERIES, from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 2, 1), kind: 'gbdt', id: 'rt', features: ['ret_1', 'ret_3', 'ret_12', 'rsi_14', 'bb_pctb_20', 'macd_hist_rel'], label: { kind: 'forward-return', horizon: 12 }, rounds: 30, modelsDir: join(dir, 'models'), createdAt: '2024-06-01T00:00:00.000Z' });
  modelPath = record.path;
  inputs = await loadReplayData(store, { market: 'usdm', symbol: 'BTCUSDT', from: Date.UTC(2023, 2, 1), to: Date.UTC(2023, 2, 15), decisionInterval: '5m', contextInterval: '1h' });
}, 60_000);
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Tight stops and a low threshold, so that two weeks close many trades. */
const config = (retrainEvery: number) =>
  testConfig({
    models: [
      { name: 'rt', kind: 'onnx', path: modelPath, retrain_every: retrainEvery },
      { name: 'rsi', kind: 'rule', rule: 'rsi' },
      { name: 'momentum', kind: 'rule', rule: 'momentum' },
    ],
    ensemble: { quorum: 1, threshold: 0.3 },
    risk: { stop_loss_pct: 0.004, take_profit_pct: 0.006, max_daily_trades: 1000, max_consecutive_losses: 1000, daily_loss_limit_pct: 0, max_drawdown_pct: 0 },
  } as XylenConfigInput);

async function replay(retrainEvery: number): Promise<MemoryJournal> {
  const journal = new MemoryJournal();
  await replayInputs(inputs, config(retrainEvery), journal);
  return journal;
}

function hashOf(journal: MemoryJournal): string {
  const hasher = new JournalHasher();
  for (const record of journal.records) hasher.update(record);
  return hasher.digest();
}

describe('retraining inside a replay', () => {
  it('is deterministic, and changes the model only after the outcomes that trained it', async () => {
    const [first, again, frozen] = [await replay(EVERY), await replay(EVERY), await replay(0)];
    expect(hashOf(again)).toBe(hashOf(first));
    const votes = (j: MemoryJournal) => j.votes().filter((p) => p.model === 'rt');
    const retrained = votes(first);
    const fixed = votes(frozen);
    const differ = retrained.findIndex((p, i) => p.action !== fixed[i]!.action || p.confidence !== fixed[i]!.confidence);
    expect(differ).toBeGreaterThan(0); // it did retrain, and not from the start
    expect(retrained.slice(0, differ).map((p) => p.ts)).toEqual(fixed.slice(0, differ).map((p) => p.ts));
    // The first changed answer comes after at least EVERY trades had closed (their outcomes trained the model).
    const closedBefore = first.ofType('trade').filter((t) => t.ts <= retrained[differ]!.ts).length;
    expect(closedBefore).toBeGreaterThanOrEqual(EVERY);
    expect(first.ofType('trade').length).toBeGreaterThan(3 * EVERY);
  }, 120_000);

  it('re-predicts only the rows after the last one asked, from the outcomes\' own decision rows; a one-label batch fails and the old answers stay', async () => {
    const matrix = replayFeatures(inputs);
    const runtime = await loadModel(modelPath);
    const create = () => ReplayRetrainingClient.create(runtime, matrix, { name: 'rt', every: EVERY });
    const [failing, client, reference] = [await create(), await create(), await create()];
    await runtime.close();
    const request = (row: number) => ({ ts: matrix.time[row]!, row, features: matrix.values.subarray(row * matrix.width, (row + 1) * matrix.width), names: matrix.names });
    const answers = (c: ReplayRetrainingClient, from: number, to: number) => Array.from({ length: to - from }, (_, i) => c.predictNow(request(from + i)));
    const lastAsked = 2000;
    const outcome = (row: number, label: TradeOutcome['label']): TradeOutcome => ({ ts: matrix.time[row]!, row, side: 'long', entryPrice: 1, exitPrice: 1, pnl: 0, label });
    const expected = answers(reference, 0, matrix.rows); // a client that never retrains

    // Ten outcomes all labelled long: nothing to learn, so the retrain fails and no answer changes.
    answers(failing, 0, lastAsked + 1);
    await failing.retrain(Array.from({ length: EVERY }, (_, i) => outcome(200 + i * 10, 'long')));
    expect(failing.history).toEqual([expect.objectContaining({ ok: false, fromRow: lastAsked + 1, error: expect.objectContaining({ code: 'RETRAIN_LABELS_DEGENERATE' }) })]);
    expect(answers(failing, 0, matrix.rows)).toEqual(expected);

    // Twenty with two labels: the model they train answers from the row after the last one asked; earlier rows keep theirs.
    answers(client, 0, lastAsked + 1);
    await client.retrain(Array.from({ length: 2 * EVERY }, (_, i) => outcome(500 + i * 10, i % 2 === 0 ? 'short' : 'hold')));
    expect(client.history).toEqual([expect.objectContaining({ ok: true, fromRow: lastAsked + 1, fromTs: matrix.time[lastAsked + 1], samples: 2 * EVERY })]);
    expect(answers(client, 0, lastAsked + 1)).toEqual(expected.slice(0, lastAsked + 1));
    const later = answers(client, lastAsked + 1, matrix.rows);
    const changed = later.filter((p, i) => p.confidence !== expected[lastAsked + 1 + i]!.confidence).length;
    expect(changed).toBeGreaterThan(later.length / 2);
  });
});
