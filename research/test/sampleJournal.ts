import type { JournalRecord, Vote } from '../../engine/index.ts';
import type { RunManifest } from '../journal/RunManifest.ts';

/**
 * Test support: a short hand-made journal with every record type. One long trade on BTCUSDT, worked by hand:
 *
 *   wallet 10,000 USDT; buy 0.1 @ 42,010 at 07:51 (taker fee 0.05 % = 2.1005);
 *   funding at 08:00, rate 0.01 %, mark 42,200: the long pays 0.1 · 42,200 · 0.0001 = 0.422;
 *   take-profit sells 0.1 @ 42,500 at 08:02 (fee 2.125), realized PnL 0.1 · (42,500 − 42,010) = 49;
 *   net = 49 − (2.1005 + 2.125) − 0.422 = 44.3525, so the wallet ends at 10,044.3525.
 */
export const T0 = Date.UTC(2024, 0, 1, 7, 50);
const MIN = 60_000;
export const BAR_MS = 5 * MIN;
export const START_EQUITY = 10_000;
export const TRADE = { pnl: 49, fees: 2.1005 + 2.125, funding: -0.422 } as const;
export const END_EQUITY = 10_044.3525;

const votes = (long: number): Vote[] => [
  { model: 'macd', action: 'hold', confidence: 0.55, weight: 0.4 },
  { model: 'mean_reversion', action: 'short', confidence: 0.3, weight: 0.2 },
  { model: 'momentum', action: 'long', confidence: long, weight: 0.4 },
];
const scores = { long: 0.32, short: 0.06, hold: 0.22 };
const account = (equity: number, wallet: number, quantity: number, markPrice: number) => ({ equity, wallet, quantity, markPrice });

export function sampleJournal(): JournalRecord[] {
  const entry = { clientOrderId: 'xy-1-E', side: 1 as const, type: 'MARKET' as const, quantity: 0.1, reduceOnly: false };
  const stop = { clientOrderId: 'xy-1-SL', side: -1 as const, type: 'STOP_MARKET' as const, quantity: 0.1, triggerPrice: 41_500, reduceOnly: true, closePosition: true };
  const take = { clientOrderId: 'xy-1-TP', side: -1 as const, type: 'TAKE_PROFIT_MARKET' as const, quantity: 0.1, triggerPrice: 42_500, reduceOnly: true };
  const open = { filledQuantity: 0, averagePrice: 0, createdAt: T0, updatedAt: T0 };
  return [
    { type: 'risk', ts: T0, event: { ts: T0, rule: 'LEVERAGE_CAP', effect: 'CAPPED', reason: 'leverage 20 above the cap 10', values: { requested: 20, cap: 10 } } },
    { type: 'order', ts: T0, order: { ...entry, status: 'NEW', ...open } },
    { type: 'order', ts: T0, order: { ...stop, status: 'NEW', ...open } },
    { type: 'order', ts: T0, order: { ...take, status: 'NEW', ...open }, note: 'take-profit from the ensemble' },
    {
      type: 'heartbeat',
      ts: T0,
      row: 0,
      close: 42_000,
      features: Float64Array.of(0.0012, -0.5, 61.25, 1 / 3, 0),
      ...account(START_EQUITY, START_EQUITY, 0, 42_000),
      votes: votes(0.8),
      action: 'long',
      confidence: 0.75,
      scores,
      outcome: 'ORDER_PLACED',
    },
    {
      type: 'fill',
      ts: T0 + MIN,
      fill: { ts: T0 + MIN, clientOrderId: 'xy-1-E', side: 1, quantity: 0.1, price: 42_010, fee: 2.1005, liquidity: 'taker', reason: 'ORDER', realizedPnl: 0 },
    },
    {
      type: 'heartbeat',
      ts: T0 + BAR_MS,
      row: 1,
      close: 42_100,
      features: Float64Array.of(0.0024, -0.25, 63.5, 0.5, 1e-9),
      ...account(10_006.8995, 9_997.8995, 0.1, 42_100),
      votes: votes(0.7),
      action: 'long',
      confidence: 0.7,
      scores,
      outcome: 'IN_POSITION',
    },
    { type: 'funding', ts: T0 + 2 * BAR_MS, rate: 0.0001, markPrice: 42_200, payment: -0.422, quantity: 0.1 },
    {
      type: 'heartbeat',
      ts: T0 + 2 * BAR_MS,
      row: 2,
      close: 42_200,
      features: Float64Array.of(Number.NaN, -0.125, 60, 0.5, 2),
      ...account(10_016.4775, 9_997.4775, 0.1, 42_200),
      votes: [{ model: 'momentum', action: 'long', confidence: 0.9, weight: 0.4 }],
      action: 'hold',
      confidence: 0,
      scores: { long: 0, short: 0, hold: 0 },
      missing: ['macd', 'mean_reversion'],
      outcome: 'NO_QUORUM',
      detail: '1 of 3 models answered',
    },
    {
      type: 'fill',
      ts: T0 + 12 * MIN,
      fill: { ts: T0 + 12 * MIN, clientOrderId: 'xy-1-TP', side: -1, quantity: 0.1, price: 42_500, fee: 2.125, liquidity: 'taker', reason: 'TAKE_PROFIT', realizedPnl: 49 },
    },
    { type: 'trade', ts: T0 + 12 * MIN, side: 'long', entryTs: T0 + MIN, entryPrice: 42_010, exitPrice: 42_500, quantity: 0.1, ...TRADE, exitReason: 'TAKE_PROFIT' },
    { type: 'order', ts: T0 + 15 * MIN, order: { ...stop, status: 'CANCELED', ...open, updatedAt: T0 + 15 * MIN } },
    {
      type: 'risk',
      ts: T0 + 15 * MIN,
      event: { ts: T0 + 15 * MIN, rule: 'DAILY_TRADE_LIMIT', effect: 'PAUSED', reason: '1 trade today, limit 1', values: { trades: 1, limit: 1 }, until: Date.UTC(2024, 0, 2) },
    },
    {
      type: 'config',
      ts: T0 + 3 * BAR_MS,
      promotionId: 'pr-20240101-081500-abcd',
      sourceRunId: 'run-20231231-120000-0123',
      promotedBy: 'alice',
      previous: '{"ensemble":{"method":"weighted_vote","threshold":0.6}}',
      next: '{"ensemble":{"method":"majority","threshold":0.7}}',
      position: 0,
    },
    // The run ends after the trade, between decisions: a last equity mark outside any heartbeat.
    { type: 'equity', ts: T0 + 3 * BAR_MS, equity: END_EQUITY, wallet: END_EQUITY, quantity: 0, markPrice: 42_300 },
  ];
}

export function sampleManifest(overrides: Partial<RunManifest['data']> = {}): RunManifest {
  return {
    config: { ensemble: { method: 'weighted_vote', threshold: 0.6 }, exchange: { api_secret: '***' } },
    data: {
      market: 'usdm',
      symbol: 'BTCUSDT',
      baseInterval: '1m',
      decisionInterval: '5m',
      contextInterval: '1h',
      from: T0,
      to: T0 + 4 * BAR_MS,
      bars: 20,
      checksum: 'c0ffee',
      ...overrides,
    },
    models: [
      { name: 'momentum', kind: 'rule' },
      { name: 'mean_reversion', kind: 'rule' },
      { name: 'macd', kind: 'rule', version: '1' },
    ],
    funding: { source: 'stored' },
    code: { version: '0.1.0', commit: null },
    seed: 42,
  };
}
