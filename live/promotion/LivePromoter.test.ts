import { describe, expect, it } from 'vitest';
import type { XylenConfig } from '../../config/index.ts';
import { ACTION_CODE, Ensemble, MemoryJournal, RiskManager, type BatchModel, type FeatureMatrix, type Heartbeat, type ModelClient } from '../../engine/index.ts';
import { StreamingModelClient } from '../StreamingModelClient.ts';
import { parityConfig } from '../test/liveFixture.ts';
import { LivePromoter } from './LivePromoter.ts';
import { settingsOf } from './promotedSettings.ts';

const NAMES = ['a', 'b'];
const TARGET = { market: 'usdm', symbol: 'BTCUSDT', decisionInterval: '5m', contextInterval: '1h' };

/** Votes long when the previous row's `a` is positive, short when negative: a model that needs the row before. */
const previousRowReader: BatchModel = {
  name: 'cross',
  features: NAMES,
  predictBatch(matrix: FeatureMatrix) {
    const action = new Int8Array(matrix.rows);
    const confidence = new Float64Array(matrix.rows);
    for (let r = 1; r < matrix.rows; r++) {
      const previous = matrix.values[(r - 1) * matrix.width]!;
      action[r] = Number.isNaN(previous) ? ACTION_CODE.hold : previous > 0 ? ACTION_CODE.long : ACTION_CODE.short;
      confidence[r] = Number.isNaN(previous) ? 0 : 0.9;
    }
    return { action, confidence };
  },
};

function setup(config: XylenConfig = parityConfig()) {
  const calls: { models?: readonly ModelClient[]; ensemble?: Ensemble; threshold?: number }[] = [];
  const journal = new MemoryJournal();
  const risk = new RiskManager({ sizing: config.sizing, risk: config.risk });
  const riskCalls: unknown[] = [];
  const built: ModelClient[] = [];
  const promoter = new LivePromoter({
    config,
    models: { raw: [], used: [] },
    build: async () => {
      const model = new StreamingModelClient(previousRowReader, NAMES);
      built.push(model);
      return { raw: [model], used: [model] };
    },
    ensembleFor: (c) => new Ensemble({ method: c.ensemble.method, quorum: c.ensemble.quorum, weights: {}, window: c.ensemble.window, decay: c.ensemble.decay }),
    coordinator: { reconfigure: async (next) => void calls.push(next) },
    risk: { reconfigure: (options) => (riskCalls.push(options), risk.reconfigure(options)) },
    journal,
    position: () => -0.25,
    featureNames: NAMES,
    log: () => undefined,
  });
  return { promoter, calls, journal, riskCalls, built };
}

const promotion = (settings: Record<string, unknown>, id = 'pr-20250510-120000-abcd') => ({
  promotionId: id,
  runId: 'run-20250510-110000-0123',
  promotedBy: 'tester',
  promotedAt: '2025-05-10T12:00:00.000Z',
  target: TARGET,
  settings,
  models: [],
});

const beat = (ts: number, a: number): Heartbeat => ({ ts, row: ts / 300_000, close: 100, atr: 1, features: Float64Array.of(a, 0) });

describe('LivePromoter', () => {
  it('applies a new model set before the heartbeat, primed with the previous row, and journals the change with the position held', async () => {
    const { promoter, calls, journal, built } = setup();
    const next = parityConfig({ models: [{ name: 'cross', kind: 'rule', rule: 'macd_cross' }], ensemble: { method: 'majority', threshold: 0.8, quorum: 1 } });
    const answer = await promoter.submit(promotion(settingsOf(next) as unknown as Record<string, unknown>));
    expect(answer).toMatchObject({ status: 'pending', changes: expect.arrayContaining(['ensemble.method: "weighted_vote" → "majority"']) });
    await expect(promoter.submit(promotion(settingsOf(next) as unknown as Record<string, unknown>, 'pr-20250510-120001-abce'))).rejects.toThrow(/waiting for the next heartbeat/);
    expect(calls).toEqual([]);

    await promoter.applyBefore(beat(600_000, -1), beat(300_000, 2));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.threshold).toBe(0.8);
    expect(calls[0]!.models).toEqual(built);
    expect(calls[0]!.ensemble?.options.method).toBe('majority');
    // Primed: its first answer at the heartbeat reads the previous heartbeat's row (a = 2 → long), not a blank.
    expect(built[0]!.predictNow!({ ts: 600_000, row: 2, features: Float64Array.of(-1, 0), names: NAMES })).toEqual({ action: 'long', confidence: 0.9 });
    const [record, ...rest] = journal.records;
    expect(rest).toEqual([]);
    expect(record).toMatchObject({ type: 'config', ts: 600_000, promotionId: 'pr-20250510-120000-abcd', sourceRunId: 'run-20250510-110000-0123', promotedBy: 'tester', position: -0.25 });
    expect(promoter.promotion).toMatchObject({ promotionId: 'pr-20250510-120000-abcd', appliedAt: 600_000, via: 'promote' });
    expect(promoter.pending).toBeNull();
    expect(promoter.models).toEqual(built);
    // Applied once: the next heartbeat changes nothing.
    await promoter.applyBefore(beat(900_000, 1), beat(600_000, -1));
    expect(calls).toHaveLength(1);
  });

  it('a threshold or risk change keeps the models and the ensemble (with its record of the models)', async () => {
    const { promoter, calls, riskCalls, built } = setup();
    const next = parityConfig({ ensemble: { threshold: 0.45 }, risk: { stop_loss_pct: 0.01, take_profit_pct: 0.006, leverage: 5, max_consecutive_losses: 1000, max_daily_trades: 1000 } });
    await promoter.submit(promotion(settingsOf(next) as unknown as Record<string, unknown>));
    await promoter.applyBefore(beat(600_000, 1), undefined);
    expect(built).toEqual([]);
    expect(calls).toEqual([{ threshold: 0.45 }]);
    expect(riskCalls).toEqual([{ sizing: next.sizing, risk: next.risk }]);
    expect(promoter.current.ensemble.threshold).toBe(0.45);
  });

  it('refuses other data, an unreachable model server or an impossible quorum, and keeps nothing pending', async () => {
    const { promoter } = setup();
    await expect(promoter.submit({ ...promotion(settingsOf(parityConfig()) as unknown as Record<string, unknown>), target: { ...TARGET, contextInterval: '4h' } })).rejects.toMatchObject({ code: 'PROMOTION_MISMATCH' });
    const http = parityConfig({ models: [{ name: 'far', kind: 'http', endpoint: 'http://127.0.0.1:9/' }], ensemble: { quorum: 1 } });
    await expect(promoter.submit(promotion(settingsOf(http) as unknown as Record<string, unknown>))).rejects.toMatchObject({ code: 'MODEL_UNREACHABLE' });
    const lonely = { ...settingsOf(parityConfig()), models: [{ name: 'x', kind: 'rule', rule: 'rsi' }] };
    await expect(promoter.submit(promotion(lonely as unknown as Record<string, unknown>))).rejects.toMatchObject({ code: 'QUORUM_UNREACHABLE' });
    expect(promoter.pending).toBeNull();
    expect(promoter.current.ensemble.method).toBe('weighted_vote');
  });
});
