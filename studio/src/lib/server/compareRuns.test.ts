// Compare and champion/challenger evidence over real replays: real BTCUSDT candles, the real engine, real models
// trained and registered, replays pinned to them exactly as the studio's child processes are.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type XylenConfig } from '../../../../config/index.ts';
import { importPaths, Store } from '../../../../data/index.ts';
import { XylenError } from '../../../../engine/index.ts';
import { getModel, listModels, modelEvents, promote } from '../../../../model-servers/registry/index.ts';
import { trainModel } from '../../../../model-servers/zoo/index.ts';
import { periodReturns, readJournal } from '../../../../research/index.ts';
import { runStoredReplay } from '../../../../research/replay/runStoredReplay.ts';
import { SHARED_DATA } from '../../../../test/paths.ts';
import { alignedReturns } from './alignedReturns.ts';
import { challengeEvidence } from './challengeEvidence.ts';
import { pinnedConfig } from './ChallengeJobs.ts';
import { compareRuns, parseCompareIds } from './compareRuns.ts';
import { modelDataUsedTo } from './modelDataRange.ts';
import { promoteChallenger } from './promoteChallenger.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-studio-compare-'));
const PERIOD = { market: 'usdm', symbol: 'BTCUSDT', from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 4) } as const;
let store: Store;
const runs: Record<string, string> = {};

const withMethod = (config: XylenConfig, method: XylenConfig['ensemble']['method']): XylenConfig => ({ ...config, ensemble: { ...config.ensemble, method } });

beforeAll(async () => {
  store = await Store.open(join(dir, 'store.duckdb'));
  const data = join(SHARED_DATA, 'binance-usdm', 'BTCUSDT');
  await importPaths(store, [join(data, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv')], {});
  const config = configSchema.parse({});
  runs['vote'] = (await runStoredReplay(store, withMethod(config, 'weighted_vote'), PERIOD)).runId;
  runs['majority'] = (await runStoredReplay(store, withMethod(config, 'majority'), PERIOD)).runId;
  runs['later'] = (await runStoredReplay(store, config, { ...PERIOD, from: Date.UTC(2024, 0, 2) })).runId;

  const request = {
    market: 'usdm',
    symbol: 'BTCUSDT',
    decisionInterval: '5m',
    contextInterval: '1h',
    from: Date.UTC(2023, 10, 1),
    to: Date.UTC(2023, 11, 15),
    kind: 'gbdt',
    id: 'trend',
    features: ['ret_12', 'ret_48', 'ema_dist_21', 'macd_rel', 'rsi_14'],
    label: { kind: 'forward-return', horizon: 12 },
    rounds: 10,
    modelsDir: join(dir, 'models'),
    createdAt: '2024-01-01T00:00:00.000Z',
  } as const;
  await trainModel(store, { ...request, maxDepth: 2 });
  await trainModel(store, { ...request, maxDepth: 4 });
  await promote(store, 'trend', 1);
  const [v1, v2] = [await getModel(store, 'trend', 1), await getModel(store, 'trend', 2)];
  runs['champion'] = (await runStoredReplay(store, pinnedConfig(config, 'trend', v1), PERIOD)).runId;
  runs['challenger'] = (await runStoredReplay(store, pinnedConfig(config, 'trend', v2), PERIOD)).runId;
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('compareRuns', () => {
  it('measures agreement as the share of common heartbeats with the same action, as the journals say', async () => {
    const comparison = await compareRuns(store, [runs['vote']!, runs['majority']!], { resamples: 200 });
    const actions = async (id: string) =>
      new Map((await readJournal(store, id)).flatMap((r) => (r.type === 'heartbeat' ? [[r.ts, r.action] as const] : [])));
    const [a, b] = [await actions(runs['vote']!), await actions(runs['majority']!)];
    const common = [...a.keys()].filter((ts) => b.has(ts));
    const same = common.filter((ts) => a.get(ts) === b.get(ts)).length;
    expect(comparison.agreement).toHaveLength(1);
    expect(comparison.agreement[0]).toMatchObject({ common: common.length, same, share: same / common.length });
    expect(comparison.notes).toEqual([]);
    expect(comparison.runs.map((r) => r.label)).toEqual([`weighted_vote · ${runs['vote']!.slice(-4)}`, `majority · ${runs['majority']!.slice(-4)}`]);
    // Curves are returns since the start; the test is of run 2 against the baseline, run 1.
    for (const curve of comparison.curves) expect(Math.abs(curve.value[0]!)).toBeLessThan(0.05);
    const test = comparison.tests[0]!;
    expect(test).toMatchObject({ runId: runs['majority'], baseline: runs['vote'] });
    expect(test.result!.pValue).toBeGreaterThan(0);
    expect(test.result!.pValue).toBeLessThanOrEqual(1);
  });

  it('aligns two runs on their shared heartbeats, returns as the equity journal gives them', async () => {
    const aligned = await alignedReturns(store, runs['later']!, runs['vote']!, 300_000);
    const equity = async (id: string) => new Map((await readJournal(store, id)).flatMap((r) => (r.type === 'equity' || r.type === 'heartbeat' ? [[r.ts, r.equity] as const] : [])));
    const [later, vote] = [await equity(runs['later']!), await equity(runs['vote']!)];
    const shared = [...later.keys()].filter((ts) => vote.has(ts)).sort((x, y) => x - y);
    expect(aligned.common).toBe(shared.length);
    expect([...aligned.a]).toEqual([...periodReturns(shared.map((ts) => later.get(ts)!))]);
    expect([...aligned.b]).toEqual([...periodReturns(shared.map((ts) => vote.get(ts)!))]);
    expect(aligned.perYear).toBe((365 * 86_400_000) / 300_000);
  });

  it('notes runs over different periods, and refuses unknown or too few ids by name', async () => {
    const comparison = await compareRuns(store, [runs['vote']!, runs['later']!], { resamples: 200 });
    expect(comparison.notes.join(' ')).toMatch(/different periods/);
    expect(() => parseCompareIds(runs['vote']!)).toThrow(/2 to 8 runs/);
    expect(() => parseCompareIds('run-1,nope')).toThrow(XylenError);
    const missing = (await compareRuns(store, [runs['vote']!, 'run-20990101-000000-ffff']).catch((e: unknown) => e)) as XylenError;
    expect(missing.code).toBe('RUN_NOT_FOUND');
  });
});

describe('champion vs challenger evidence', () => {
  it('pins the model by file and keeps the rest of the ensemble, with a quorum the ensemble can meet', async () => {
    const v2 = await getModel(store, 'trend', 2);
    const base = configSchema.parse({ exchange: { api_key: 'k', api_secret: 's' }, ensemble: { quorum: 9 }, models: [{ name: 'trend', kind: 'rule', rule: 'rsi', weight: 3 }, { name: 'momentum', kind: 'rule', rule: 'momentum' }] });
    const pinned = pinnedConfig(base, 'trend', v2);
    expect(pinned.models).toEqual([expect.objectContaining({ name: 'momentum' }), { name: 'trend', kind: 'onnx', path: v2.path, weight: 3, enabled: true }]);
    expect(pinned.ensemble.quorum).toBe(2);
    expect('exchange' in pinned || 'alerts' in pinned).toBe(false);
    expect(pinnedConfig(base, 'trend', null).models.map((m) => m.name)).toEqual(['momentum']);
    expect(() => pinnedConfig(configSchema.parse({ models: [] }), 'trend', null)).toThrow(/nothing to compare/);
  });

  it('knows until when a version saw data: its training split, then validation and test, about to the end of the range it was trained on', async () => {
    const v1 = await getModel(store, 'trend', 1);
    const end = modelDataUsedTo(v1, 300_000)!;
    expect(v1.trainingTo).toBeLessThan(end - 7 * 86_400_000);
    // trainModel was given 2023-11-01 → 2023-12-15: the splits, the gaps between them and the last labels fill it.
    expect(Math.abs(end - Date.UTC(2023, 11, 15))).toBeLessThan(86_400_000);
  });

  it('gathers out-of-sample metrics, the Sharpe test and the DSR over the runs that tried the model', async () => {
    const evidence = await challengeEvidence(store, { modelId: 'trend', version: 2, championRun: runs['champion']!, challengerRun: runs['challenger']! });
    expect(evidence).toMatchObject({ modelId: 'trend', version: 2, championVersion: 1, outOfSample: true, runs: { champion: runs['champion'], challenger: runs['challenger'] } });
    expect(evidence.dsr!.trials).toBe(2);
    expect(evidence.dsr!.trialRuns.sort()).toEqual([runs['champion'], runs['challenger']].sort());
    expect(evidence.dsr!.dsr).toBeGreaterThanOrEqual(0);
    expect(evidence.dsr!.dsr).toBeLessThanOrEqual(1);
    expect(evidence.sharpeTest!.difference).toBeCloseTo(evidence.sharpeTest!.sharpeA - evidence.sharpeTest!.sharpeB, 12);
    expect(evidence.metrics.challenger['totalReturn']).not.toBeNull();
  });

  it('refuses runs that are not what they claim: swapped, another period, the champion itself', async () => {
    const swapped = (await challengeEvidence(store, { modelId: 'trend', version: 2, championRun: runs['challenger']!, challengerRun: runs['champion']! }).catch((e: unknown) => e)) as XylenError;
    expect(swapped.code).toBe('CHALLENGE_RUN_MISMATCH');
    const unpinned = (await challengeEvidence(store, { modelId: 'trend', version: 2, championRun: runs['champion']!, challengerRun: runs['vote']! }).catch((e: unknown) => e)) as XylenError;
    expect(unpinned.code).toBe('CHALLENGE_RUN_MISMATCH');
    const champion = (await challengeEvidence(store, { modelId: 'trend', version: 1, championRun: runs['champion']!, challengerRun: runs['champion']! }).catch((e: unknown) => e)) as XylenError;
    expect(champion.code).toBe('MODEL_ALREADY_CHAMPION');
  });

  it('promotes on the evidence and records it with the promotion', async () => {
    const { change } = await promoteChallenger(store, { modelId: 'trend', version: 2, championRun: runs['champion']!, challengerRun: runs['challenger']! }, 'better out of sample');
    expect(change).toEqual({ modelId: 'trend', champion: 2, previous: 1 });
    expect((await listModels(store, 'trend')).map((m) => m.status)).toEqual(['retired', 'champion']);
    const event = (await modelEvents(store, 'trend')).at(-1)!;
    expect(event).toMatchObject({ event: 'promote', version: 2, previousVersion: 1, reason: 'better out of sample' });
    expect(event.evidence).toMatchObject({ version: 2, runs: { champion: runs['champion'], challenger: runs['challenger'] }, outOfSample: true, recordedBy: 'xylen studio' });
  });
});
