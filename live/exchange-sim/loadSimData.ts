import type { CandleColumns, Market, Store } from '../../data/index.ts';
import { loadCandles, loadFundingIfStored, storedIntervals } from '../../data/index.ts';
import { constantFunding, formatTime, inputError, intervalMs, type FundingSchedule, type Interval } from '../../engine/index.ts';
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
  const interval = (await storedIntervals(store, market, symbol, from, to))[0];
  if (!interval) {
    throw inputError('NO_DATA', `no ${market} ${symbol} candles stored between ${formatTime(from)} and ${formatTime(to)}`, {
      where: '--from/--to',
      hint: 'see what is stored with `xylen data ls`; import with `xylen data import …`',
    });
  }
  const candles = await loadCandles(store, { market, symbol, interval }, { from: from - historyMs, to });
  const stored = await loadFundingIfStored(store, market, symbol, from, to);
  const funding = stored.length > 0 ? stored : constantFunding(from, to, DEFAULT_FUNDING_RATE);
  return { candles, interval, barMs: intervalMs(interval), funding, fundingSource: stored.length > 0 ? 'stored' : 'constant' };
}
