import type { CandleColumns, Market, Store } from '../../data/index.ts';
import { loadCandles, loadFunding } from '../../data/index.ts';
import { constantFunding, formatTime, inputError, intervalMs, INTERVALS, XylenError, type FundingSchedule, type Interval } from '../../engine/index.ts';
import { DEFAULT_FUNDING_RATE } from '../../research/replay/replayInputs.ts';

export interface SimData {
  candles: CandleColumns;
  interval: Interval;
  barMs: number;
  funding: FundingSchedule;
  fundingSource: 'stored' | 'constant';
}

/**
 * What the simulator replays, read from the store (which the caller opens read-only and may close afterwards): the
 * finest stored candles of the symbol from `from − history` to `to`, and funding in [from, to) — stored, or the
 * replay's constant rate when none is stored, so a live run against the simulator pays what a replay would.
 */
export async function loadSimData(store: Store, request: { market: Market; symbol: string; from: number; to: number; historyMs: number }): Promise<SimData> {
  const { market, symbol, from, to, historyMs } = request;
  const rows = await store.all(`SELECT DISTINCT interval FROM candles WHERE market = $1 AND symbol = $2 AND open_time >= $3 AND open_time < $4`, [market, symbol, BigInt(from), BigInt(to)]);
  const names = new Set(rows.map((r) => String(r['interval'])));
  const interval = INTERVALS.find((i) => names.has(i));
  if (!interval) {
    throw inputError('NO_DATA', `no ${market} ${symbol} candles stored between ${formatTime(from)} and ${formatTime(to)}`, {
      where: '--from/--to',
      hint: 'see what is stored with `xylen data ls`; import with `xylen data import …`',
    });
  }
  const candles = await loadCandles(store, { market, symbol, interval }, { from: from - historyMs, to });
  let funding: FundingSchedule;
  let fundingSource: 'stored' | 'constant' = 'stored';
  try {
    funding = await loadFunding(store, { market, symbol }, { from, to });
  } catch (error) {
    if (!(error instanceof XylenError && error.code === 'SERIES_NOT_STORED')) throw error;
    funding = { length: 0, fundingTime: new Float64Array(0), rate: new Float64Array(0) };
  }
  if (funding.length === 0) {
    funding = constantFunding(from, to, DEFAULT_FUNDING_RATE);
    fundingSource = 'constant';
  }
  return { candles, interval, barMs: intervalMs(interval), funding, fundingSource };
}
