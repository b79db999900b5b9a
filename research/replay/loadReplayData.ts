import { formatTime, inputError, intervalMs, type Interval } from '../../engine/index.ts';
import { sliceCandles, type CandleColumns, type FundingColumns, type Market, type Store } from '../../data/index.ts';
import { loadCandles, loadFundingIfStored, resampleColumns, storedIntervals } from '../../data/query/index.ts';

export interface ReplayDataRequest {
  market: Market;
  symbol: string;
  /** Decisions from `from` (inclusive) to `to` (exclusive), Unix ms. */
  from: number;
  to: number;
  decisionInterval: Interval;
  contextInterval: Interval;
}

/** Everything a replay reads, loaded once (and shared by every config of a sweep). */
export interface ReplayInputs extends ReplayDataRequest {
  /** The finest interval stored for the symbol: fills and position monitoring run on it. */
  baseInterval: Interval;
  /** Base candles inside [from, to). */
  base: CandleColumns;
  /** Decision and context candles from the warm-up start, so the first decisions have full features. */
  decision: CandleColumns;
  context: CandleColumns | undefined;
  warmupFrom: number;
  funding: FundingColumns;
  /** 'stored' when the store has funding rates for the period; otherwise replay charges a constant rate and says so. */
  fundingSource: 'stored' | 'constant';
  /** How each of decision and context candles were obtained. */
  derived: { decision: 'stored' | 'resampled' | 'base'; context: 'stored' | 'resampled' | 'base' | 'none' };
}

/** Bars of the slowest indicator (EMA 50, plus MACD's 35) with margin: decision and context features are warm by `from`. */
const WARMUP_BARS = 60;

/**
 * Load the candles and funding a replay needs from the store: the finest stored interval as the base, decision and
 * context candles stored or resampled from it (complete buckets only), and a warm-up period before `from`.
 */
export async function loadReplayData(store: Store, request: ReplayDataRequest): Promise<ReplayInputs> {
  const { market, symbol, from, to, decisionInterval, contextInterval } = request;
  if (!(from < to)) throw inputError('BAD_RANGE', `the replay range is empty: ${formatTime(from)} is not before ${formatTime(to)}`, { where: '--from/--to' });
  const stored = await storedIntervals(store, market, symbol, from, to);
  if (stored.length === 0) {
    throw inputError('NO_DATA', `no ${market} ${symbol} candles stored between ${formatTime(from)} and ${formatTime(to)}`, {
      hint: `see what is stored with \`xylen data ls\`; import with \`xylen data import …\`, or make synthetic data with \`xylen data synth\``,
    });
  }
  const baseInterval = stored[0]!;
  const baseMs = intervalMs(baseInterval);
  if (intervalMs(decisionInterval) < baseMs) {
    throw inputError('DECISION_FINER_THAN_DATA', `decisions every ${decisionInterval} need ${decisionInterval} candles or finer, but the finest stored is ${baseInterval}`, {
      where: 'intervals.decision',
      hint: `set intervals.decision to ${baseInterval} or coarser, or import finer candles`,
    });
  }
  const warmupFrom = from - WARMUP_BARS * Math.max(intervalMs(decisionInterval), intervalMs(contextInterval));
  const baseKey = { market, symbol, interval: baseInterval };
  // The base candles from the warm-up on (coarser intervals that are not stored are resampled from them here); the
  // replay's own base starts at `from`.
  const warm = await loadCandles(store, baseKey, { from: warmupFrom, to });
  let first = 0;
  while (first < warm.length && warm.openTime[first]! < from) first++;
  const base = sliceCandles(warm, first, warm.length);

  const obtain = async (interval: Interval) => {
    if (interval === baseInterval) return { columns: warm, how: 'base' as const };
    if (stored.includes(interval)) return { columns: await loadCandles(store, { market, symbol, interval }, { from: warmupFrom, to }), how: 'stored' as const };
    return { columns: resampleColumns(warm, baseMs, intervalMs(interval)), how: 'resampled' as const };
  };
  const decision = await obtain(decisionInterval);
  const context = intervalMs(contextInterval) > intervalMs(decisionInterval) ? await obtain(contextInterval) : undefined;

  const storedFunding = await loadFundingIfStored(store, market, symbol, from, to);
  return {
    ...request,
    baseInterval,
    base,
    decision: decision.columns,
    context: context?.columns,
    warmupFrom,
    funding: storedFunding,
    fundingSource: storedFunding.length > 0 ? 'stored' : 'constant',
    derived: { decision: decision.how, context: context?.how ?? 'none' },
  };
}
