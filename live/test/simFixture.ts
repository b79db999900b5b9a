import { readFileSync } from 'node:fs';
import type { CandleColumns } from '../../data/index.ts';
import { BTCUSDT_PERP, type FundingSchedule } from '../../engine/index.ts';
import { BTCUSDT_1M_CSV } from '../../test/servers/realKlines.ts';
import { startExchangeSim, type ExchangeSim, type ExchangeSimOptions } from '../exchange-sim/index.ts';

/** Test credentials for the simulator (not secrets of anything real; the secrets test greps every output for them). */
export const SIM_KEY = 'simKeyA1b2C3d4E5f6G7h8I9j0kLmNoPqRsTuVwXyZ0123456789abcdefghij';
export const SIM_SECRET = 'simSecretZ9y8X7w6V5u4T3s2R1q0PoNmLkJiHgFeDcBa9876543210zyxwvuts';

/** The first `rows` real 1m BTCUSDT candles of the shared file (2025-05-04 onwards), as columns. */
export function realMinuteCandles(rows: number): CandleColumns {
  const lines = readFileSync(BTCUSDT_1M_CSV, 'utf8').split('\n', rows + 1).slice(1);
  const col = () => new Float64Array(lines.length);
  const c: CandleColumns = { length: lines.length, openTime: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
  lines.forEach((line, i) => {
    const [t, o, h, l, cl, v] = line.split(',').map(Number) as [number, number, number, number, number, number];
    c.openTime[i] = t;
    c.open[i] = o;
    c.high[i] = h;
    c.low[i] = l;
    c.close[i] = cl;
    c.volume[i] = v;
  });
  return c;
}

export const NO_FUNDING: FundingSchedule = { length: 0, fundingTime: new Float64Array(0), rate: new Float64Array(0) };

/** A manual-pace simulator over `rows` real candles, the last `live` of them still to close. */
export async function startTestSim(rows = 600, live = 300, extra: Partial<ExchangeSimOptions> = {}): Promise<ExchangeSim> {
  const candles = realMinuteCandles(rows);
  return startExchangeSim({
    symbol: 'BTCUSDT',
    instrument: BTCUSDT_PERP,
    candles,
    barMs: 60_000,
    funding: NO_FUNDING,
    startAt: candles.openTime[rows - live]!,
    pace: { kind: 'manual' },
    apiKey: SIM_KEY,
    apiSecret: SIM_SECRET,
    ...extra,
  });
}
