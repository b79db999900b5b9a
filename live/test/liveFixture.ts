import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type XylenConfig, type XylenConfigInput } from '../../config/index.ts';
import { importPaths, Store } from '../../data/index.ts';
import { BTCUSDT_PERP, type JournalRecord } from '../../engine/index.ts';
import { BTCUSDT_1M_CSV, BTCUSDT_FUNDING_CSV } from '../../test/servers/realKlines.ts';
import { loadSimData, startExchangeSim, type ExchangeSim, type ExchangeSimOptions } from '../exchange-sim/index.ts';
import { createLiveSession, type LiveSessionOptions } from '../createLiveSession.ts';
import { SIM_KEY, SIM_SECRET } from './simFixture.ts';

/** Two days of real 1m candles inside the shared file, with 60 h of warm-up before them. */
export const FROM = Date.UTC(2025, 4, 10);
export const TO = Date.UTC(2025, 4, 12);
export const HISTORY_MS = 72 * 3_600_000;

/** A temp store with the real 1m BTCUSDT candles and funding imported (≈ 1 s). */
export async function importedStore(): Promise<{ dir: string; storePath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'xylen-live-'));
  const storePath = join(dir, 'store.duckdb');
  const store = await Store.open(storePath);
  try {
    await importPaths(store, [BTCUSDT_1M_CSV, BTCUSDT_FUNDING_CSV], {});
  } finally {
    store.close();
  }
  return { dir, storePath };
}

/** Trades often: a low threshold, tight stops, no daily cap, so two days hold several trades. */
export function parityConfig(overrides: XylenConfigInput = {}): XylenConfig {
  return configSchema.parse({
    ensemble: { threshold: 0.3 },
    risk: { stop_loss_pct: 0.004, take_profit_pct: 0.006, leverage: 5, max_consecutive_losses: 1000, max_daily_trades: 1000 },
    ...overrides,
  });
}

/** A manual-pace simulator over the store's candles from FROM − history to TO, started at FROM. */
export async function simOverStore(storePath: string, config: XylenConfig, from = FROM, to = TO, extra: Partial<ExchangeSimOptions> = {}): Promise<ExchangeSim> {
  const store = await Store.open(storePath, { readOnly: true });
  let data;
  try {
    data = await loadSimData(store, { market: 'usdm', symbol: 'BTCUSDT', from, to, historyMs: HISTORY_MS });
  } finally {
    store.close();
  }
  return startExchangeSim({
    symbol: 'BTCUSDT',
    instrument: BTCUSDT_PERP,
    candles: data.candles,
    barMs: data.barMs,
    funding: data.funding,
    startAt: from,
    pace: { kind: 'manual' },
    apiKey: SIM_KEY,
    apiSecret: SIM_SECRET,
    initialBalance: config.replay.initial_balance,
    takerFee: config.replay.taker_fee,
    makerFee: config.replay.maker_fee,
    slippageBps: config.replay.slippage_bps,
    leverage: config.risk.leverage,
    ...extra,
  });
}

/** The live config pointed at a simulator, exchange mode (dry_run false, testnet true) unless overridden. */
export function liveConfigFor(sim: ExchangeSim, base: XylenConfig, dir: string, overrides: Partial<XylenConfig> = {}): XylenConfig {
  return {
    ...base,
    dry_run: false,
    testnet: true,
    exchange: { ...base.exchange, base_url: sim.url, api_key: SIM_KEY, api_secret: SIM_SECRET },
    live: { ...base.live, journal: join(dir, `live-${Math.random().toString(36).slice(2)}.duckdb`), control_port: 0 },
    ...overrides,
  };
}

/**
 * A live session over a fresh simulator on the store (`liveConfigFor` with `overrides`): started, then up to `bars`
 * bars stepped and handled one by one, then closed with the simulator. Returns what the session journaled.
 */
export async function runOverSim(
  storePath: string,
  base: XylenConfig,
  dir: string,
  options: { overrides?: Partial<XylenConfig>; bars: number; log?: LiveSessionOptions['log'] },
): Promise<JournalRecord[]> {
  const sim = await simOverStore(storePath, base);
  const records: JournalRecord[] = [];
  const session = await createLiveSession(liveConfigFor(sim, base, dir, options.overrides), { storePath, log: options.log ?? (() => undefined), tap: (r) => records.push(r) });
  try {
    await session.start();
    for (let i = 0; i < options.bars && (await sim.step()); i++) await session.runner.handled(sim.market.lastClose);
  } finally {
    await session.close();
    await sim.close();
  }
  return records;
}
