import { ATR, atr } from './ATR.ts';
import type { CandleColumnsLike, CandleLike } from './CandleColumnsLike.ts';
import { distanceColumn, ratioColumn, relativeDistance } from './columnMath.ts';
import { EMA, ema } from './EMA.ts';
import { LogReturn, logReturns } from './LogReturn.ts';
import { RSI, rsi } from './RSI.ts';

/** Features of the context interval (default 1h), each taken from the last *closed* context candle. */
export const CONTEXT_FEATURES = [
  'ctx_ret_1',
  'ctx_ret_12',
  'ctx_rsi_14',
  'ctx_ema_dist_21',
  'ctx_ema_dist_50',
  'ctx_atr_rel_14',
] as const;

/** Batch form: one column per name of CONTEXT_FEATURES, row-aligned with the context candles. */
export function contextColumns(candles: CandleColumnsLike): Float64Array[] {
  const { close } = candles;
  return [
    logReturns(close, 1),
    logReturns(close, 12),
    rsi(close, 14),
    distanceColumn(close, ema(close, 21)),
    distanceColumn(close, ema(close, 50)),
    ratioColumn(atr(candles, 14), close),
  ];
}

/** Incremental form of `contextColumns`: writes the same values for one candle into out[at ..]. */
export class ContextFeatures {
  private readonly ret1 = new LogReturn(1);
  private readonly ret12 = new LogReturn(12);
  private readonly rsi = new RSI(14);
  private readonly ema21 = new EMA(21);
  private readonly ema50 = new EMA(50);
  private readonly atr = new ATR(14);

  update(candle: CandleLike, out: Float64Array, at: number): void {
    const { close } = candle;
    out[at] = this.ret1.update(close);
    out[at + 1] = this.ret12.update(close);
    out[at + 2] = this.rsi.update(close);
    out[at + 3] = relativeDistance(close, this.ema21.update(close));
    out[at + 4] = relativeDistance(close, this.ema50.update(close));
    out[at + 5] = this.atr.update(candle) / close;
  }
}
