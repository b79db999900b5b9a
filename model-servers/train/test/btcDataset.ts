import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeFeatures, forwardReturnLabels } from '../../../engine/index.ts';
import { parseCandleCsv } from '../../../engine/features/test/candles.ts';
import { SHARED_DATA } from '../../../test/paths.ts';

export interface LabelledRows {
  X: Float32Array;
  y: Uint8Array;
  rows: number;
}

const DIR = join(SHARED_DATA, 'binance-usdm/BTCUSDT');
const FIVE_MINUTES = 300_000;
/** One hour ahead: the 12-bar forward return. */
export const HORIZON = 12;
/** |return| at or below this is hold; about a third of the hours in 2023–24 were that quiet. */
export const DEAD_ZONE = 0.002;

/**
 * Real BTCUSDT 5m bars (2023-01-01 … 2024-05-14) with 1h context through the engine's feature set, labelled
 * by the sign of the 12-bar forward return with a dead zone (short 0, hold 1, long 2), rows with any NaN
 * dropped, split in time order: the first 60 % train, the next 20 % validation, the last 20 % test.
 */
export function btcDataset(): { names: readonly string[]; width: number; train: LabelledRows; valid: LabelledRows; test: LabelledRows } {
  const decision = parseCandleCsv(readFileSync(join(DIR, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv'), 'utf8'));
  const context = parseCandleCsv(readFileSync(join(DIR, 'BTCUSDT-1h-2023-01-01_2024-05-14.csv'), 'utf8'));
  const features = computeFeatures(decision, context);
  const labels = forwardReturnLabels(features.time, decision.close, HORIZON, FIVE_MINUTES);
  const { width } = features;
  const keep: number[] = [];
  for (let r = 0; r < features.rows; r++) {
    if (Number.isNaN(labels.label[r]!)) continue;
    if (features.values.subarray(r * width, (r + 1) * width).some(Number.isNaN)) continue;
    keep.push(r);
  }
  const take = (from: number, to: number): LabelledRows => {
    const rows = to - from;
    const X = new Float32Array(rows * width);
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const r = keep[from + i]!;
      X.set(features.values.subarray(r * width, (r + 1) * width), i * width);
      const ret = labels.label[r]!;
      y[i] = ret > DEAD_ZONE ? 2 : ret < -DEAD_ZONE ? 0 : 1;
    }
    return { X, y, rows };
  };
  const a = Math.floor(keep.length * 0.6);
  const b = Math.floor(keep.length * 0.8);
  return { names: features.names, width, train: take(0, a), valid: take(a, b), test: take(b, keep.length) };
}
