import type { Clock } from '../Clock.ts';
import type { Coordinator, Heartbeat } from '../Coordinator.ts';
import type { CandleColumnsLike } from '../features/CandleColumnsLike.ts';
import type { FeatureMatrix } from '../features/FeatureMatrix.ts';
import type { BrokerBar } from '../broker/BrokerBar.ts';
import { invariantError } from '../XylenError.ts';

/** The replay-only side of the simulated broker: the driver feeds it candles and funding in time order. */
export interface ReplayVenue {
  onBar(bar: BrokerBar): void;
  onFunding(ts: number, rate: number, markPrice: number): void;
  /** True while a position is open (cheap: read on every bar). */
  readonly hasPosition: boolean;
}

export interface FundingSchedule {
  length: number;
  fundingTime: Float64Array;
  rate: Float64Array;
}

/** Base candles need their opens too: market orders fill at the next bar's open. */
export interface BaseCandles extends CandleColumnsLike {
  readonly open: Float64Array;
}

export interface ReplayData {
  /** The finest candles: the broker's fills and the position monitoring run on these. */
  base: BaseCandles;
  baseMs: number;
  /** Features per decision row; `matrix.time[r]` is the decision candle's close. */
  matrix: FeatureMatrix;
  /** Close and ATR per decision row, for sizing and stops. */
  decisionClose: Float64Array;
  decisionAtr: Float64Array;
  funding: FundingSchedule;
}

/**
 * What the replay loop yields to after each heartbeat: a journal that stores on another thread (research's
 * DuckDbJournal). An object, not a callback: the loop's optimised code holds on to the functions it calls, and a
 * closure made per run, dead after it, had the loop compiled anew in every run.
 */
export interface ReplayPacer {
  /** A promise to await now and then (the store's turn), else undefined. */
  pause(): Promise<void> | undefined;
}

/**
 * The replay loop. It walks the base candles in time order and, at each bar's close: advances the clock, lets the
 * venue fill orders against the bar, settles funding due by then, lets the risk stage see equity while a position
 * is open, and runs the coordinator's heartbeat when a decision candle closes at that instant. Only a heartbeat that
 * places an order (or waits on models) is async, so the per-bar path and most decisions have no promise churn.
 * After each heartbeat it awaits what `pacer.pause()` returns, if anything: a journal that stores on another thread
 * needs the event loop now and then (research's HeartbeatFeed). Returns the number of base bars processed.
 */
export async function runReplayLoop(
  data: ReplayData,
  venue: ReplayVenue,
  coordinator: Coordinator,
  clock: Clock & { advanceTo(ts: number): void },
  onProgress?: (barsDone: number, barsTotal: number) => void,
  pacer?: ReplayPacer,
): Promise<number> {
  const { base, baseMs, matrix, funding } = data;
  const cursor: LoopCursor = {
    row: 0,
    funding: 0,
    // One bar and one heartbeat object for the run (NaN, not 0: numbers typed as doubles from the start).
    bar: { openTime: Number.NaN, closeTime: Number.NaN, open: Number.NaN, high: Number.NaN, low: Number.NaN, close: Number.NaN, volume: Number.NaN },
    beat: { ts: Number.NaN, row: 0, close: Number.NaN, atr: Number.NaN, features: matrix.values.subarray(0, 0) },
  };
  // Decision rows closing before the first base bar closes cannot be acted on: skip them.
  const firstClose = base.length > 0 ? base.openTime[0]! + baseMs : Infinity;
  while (cursor.row < matrix.rows && matrix.time[cursor.row]! < firstClose) cursor.row++;
  while (cursor.funding < funding.length && funding.fundingTime[cursor.funding]! < firstClose) cursor.funding++;

  for (let from = 0; from < base.length; from += PROGRESS_EVERY) {
    onProgress?.(from, base.length);
    await runBars(data, venue, coordinator, clock, pacer, cursor, from, Math.min(base.length, from + PROGRESS_EVERY));
  }
  onProgress?.(base.length, base.length);
  return base.length;
}

/** Base bars between two progress reports. */
const PROGRESS_EVERY = 65_536;

/** Where the loop is between stretches of bars, and the objects it reuses. */
interface LoopCursor {
  /** The next decision row to run a heartbeat for. */
  row: number;
  /** The next funding settlement. */
  funding: number;
  readonly bar: BrokerBar;
  /** The coordinator is done with the heartbeat object once its heartbeat has completed. */
  readonly beat: Heartbeat;
}

/**
 * Bars `from … to` of the replay loop, the hot part. It is a function of its own so that the progress callback (a
 * closure made per run) is called outside it: optimised code holds on to the functions it calls, and the loop was
 * compiled anew in every run while it called one.
 */
async function runBars(
  data: ReplayData,
  venue: ReplayVenue,
  coordinator: Coordinator,
  clock: Clock & { advanceTo(ts: number): void },
  pacer: ReplayPacer | undefined,
  cursor: LoopCursor,
  from: number,
  to: number,
): Promise<void> {
  const { base, baseMs, matrix, funding } = data;
  const { bar, beat } = cursor;
  let row = cursor.row;
  let f = cursor.funding;
  try {
    for (let i = from; i < to; i++) {
      const openTime = base.openTime[i]!;
      const closeTime = openTime + baseMs;
      clock.advanceTo(closeTime);
      bar.openTime = openTime;
      bar.closeTime = closeTime;
      bar.open = base.open[i]!;
      bar.high = base.high[i]!;
      bar.low = base.low[i]!;
      bar.close = base.close[i]!;
      bar.volume = base.volume[i]!;
      if (!(bar.low <= bar.high) || Number.isNaN(bar.close)) throw badCandle(bar);
      venue.onBar(bar);
      while (f < funding.length && funding.fundingTime[f]! <= closeTime) {
        venue.onFunding(funding.fundingTime[f]!, funding.rate[f]!, bar.close);
        f++;
      }
      if (venue.hasPosition) {
        const chores = coordinator.onMark(closeTime);
        if (chores) await chores;
      }
      while (row < matrix.rows && matrix.time[row]! <= closeTime) {
        beat.ts = matrix.time[row]!;
        beat.row = row;
        beat.close = data.decisionClose[row]!;
        beat.atr = data.decisionAtr[row]!;
        beat.features = matrix.values.subarray(row * matrix.width, (row + 1) * matrix.width);
        const acting = coordinator.onHeartbeat(beat);
        if (acting) await acting;
        row++;
        const paused = pacer?.pause();
        if (paused) await paused;
      }
    }
  } finally {
    cursor.row = row;
    cursor.funding = f;
  }
}

/** Funding at a constant rate on Binance's 8-hour marks (00:00, 08:00, 16:00 UTC), for periods with no stored rates. */
export function constantFunding(from: number, to: number, rate: number): FundingSchedule {
  const eightHours = 8 * 3_600_000;
  const first = Math.ceil(from / eightHours) * eightHours;
  const count = Math.max(0, Math.floor((to - first) / eightHours) + 1);
  const fundingTime = new Float64Array(count);
  const rates = new Float64Array(count).fill(rate);
  for (let k = 0; k < count; k++) fundingTime[k] = first + k * eightHours;
  return { length: count, fundingTime, rate: rates };
}

// Kept out of the loop: a template string in the hot path costs ~100 ns a bar even when never built.
function badCandle(bar: BrokerBar): Error {
  return invariantError('BAD_CANDLE', `base candle at ${bar.openTime} is not a valid candle (low ${bar.low}, high ${bar.high}, close ${bar.close})`);
}
