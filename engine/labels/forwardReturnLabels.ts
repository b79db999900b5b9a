import { emptyLabels, type Labels } from './Labels.ts';

/**
 * Fixed-horizon forward returns on the decision candles: label = ln(close[t+h] / close[t]), known at row t+h's
 * close. NaN where t+h is past the data, and where row t+h is not exactly h intervals later (a gap in the
 * candles would silently stretch the horizon). `decisionTime` holds each row's close, in time order.
 */
export function forwardReturnLabels(decisionTime: Float64Array, decisionClose: Float64Array, horizon: number, decisionMs: number): Labels {
  if (!(Number.isInteger(horizon) && horizon >= 1)) throw new RangeError(`forward-return labels need an integer horizon ≥ 1, not ${horizon}`);
  const rows = decisionTime.length;
  const out = emptyLabels(rows);
  const span = horizon * decisionMs;
  for (let t = 0; t + horizon < rows; t++) {
    const later = t + horizon;
    if (decisionTime[later]! - decisionTime[t]! !== span) continue;
    const ratio = decisionClose[later]! / decisionClose[t]!;
    out.label[t] = Math.log(ratio);
    out.time[t] = decisionTime[later]!;
    out.realizedReturn[t] = ratio - 1;
  }
  return out;
}
