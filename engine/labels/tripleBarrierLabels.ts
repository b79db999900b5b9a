import type { BaseCandles } from '../replay/ReplayDriver.ts';
import { invariantError } from '../XylenError.ts';
import { emptyLabels, type Labels } from './Labels.ts';

/** The candles a barrier path is walked on (the replay's base candles; volume is not needed). */
export type BarrierCandles = Pick<BaseCandles, 'length' | 'openTime' | 'open' | 'high' | 'low' | 'close'>;

export interface TripleBarrierSpec {
  /** Upper barrier at close·(1 + takeProfit); risk.take_profit_pct by default. */
  takeProfit: number;
  /** Lower barrier at close·(1 − stopLoss); risk.stop_loss_pct by default. */
  stopLoss: number;
  /** Vertical barrier: this many decision intervals after the decision. */
  horizon: number;
  decisionMs: number;
  /** Interval of the path candles (the finest stored). */
  baseMs: number;
  /** At the vertical barrier, label by the sign of the return there instead of 0. */
  signAtVertical?: boolean;
}

/**
 * Triple-barrier labels (López de Prado, AFML ch. 3) for the long view of each decision row. Row r decides at
 * `decisionTime[r]` (its candle's close) at price `decisionClose[r]`; the path is the base candles that open at or
 * after that time and close by the vertical barrier, i.e. inside (T, T + horizon·decisionMs]. The first barrier
 * touched gives +1 (upper) or −1 (lower); none touched gives 0 (or the sign of the return at the last candle of
 * the window with `signAtVertical`).
 *
 * Inside one candle the path between open, high and low is unknown, so the rule is the simulated broker's: a
 * candle opening beyond a barrier resolves there at its open (a gap fills at the gap price); otherwise, when
 * its range touches the lower barrier it counts as lower, even if it also touched the upper one (adverse first:
 * a backtest must not assume the take-profit came first). The label is known at that candle's close.
 *
 * NaN when the vertical barrier lies past the last base candle's close, even if a barrier was touched before:
 * labelling only the early touches near the end of the data would bias the last rows toward ±1. A window with no
 * candle at all (a gap in the data) is NaN too. Rows must be in time order; cost O(rows + touched path).
 */
export function tripleBarrierLabels(decisionTime: Float64Array, decisionClose: Float64Array, base: BarrierCandles, spec: TripleBarrierSpec): Labels {
  const { takeProfit, stopLoss, horizon, decisionMs, baseMs, signAtVertical = false } = spec;
  if (!(takeProfit > 0 && stopLoss > 0 && stopLoss < 1 && Number.isInteger(horizon) && horizon >= 1)) {
    throw new RangeError(`triple-barrier labels need takeProfit > 0, 0 < stopLoss < 1 and an integer horizon ≥ 1 (got ${takeProfit}, ${stopLoss}, ${horizon})`);
  }
  const rows = decisionTime.length;
  const out = emptyLabels(rows);
  const { label, time, realizedReturn } = out;
  const { openTime, open, high, low, close } = base;
  const n = base.length;
  const dataEnd = n > 0 ? openTime[n - 1]! + baseMs : -Infinity;
  const span = horizon * decisionMs;

  let first = 0; // first base candle opening at or after the current row's time
  let previous = -Infinity;
  for (let r = 0; r < rows; r++) {
    const t = decisionTime[r]!;
    if (t < previous) throw invariantError('LABEL_ROWS_UNORDERED', `decision rows go back in time at row ${r} (${t} after ${previous})`);
    previous = t;
    while (first < n && openTime[first]! < t) first++;
    const vertical = t + span;
    if (vertical > dataEnd) continue;

    const price = decisionClose[r]!;
    const upper = price * (1 + takeProfit);
    const lower = price * (1 - stopLoss);
    let k = first;
    for (; k < n && openTime[k]! + baseMs <= vertical; k++) {
      const o = open[k]!;
      // The open is the first price of the candle, so a gap beyond a barrier is unambiguous; inside the range, lower first.
      const exit = o <= lower || o >= upper ? o : low[k]! <= lower ? lower : high[k]! >= upper ? upper : NaN;
      if (Number.isNaN(exit)) continue;
      label[r] = exit < price ? -1 : 1;
      time[r] = openTime[k]! + baseMs;
      realizedReturn[r] = exit / price - 1;
      break;
    }
    if (!Number.isNaN(label[r]!) || k === first) continue;
    const ret = close[k - 1]! / price - 1;
    label[r] = signAtVertical ? Math.sign(ret) + 0 : 0;
    time[r] = vertical;
    realizedReturn[r] = ret;
  }
  return out;
}

