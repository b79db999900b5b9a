import { ATR, atr } from './ATR.ts';
import { BollingerBands, bollingerBands } from './BollingerBands.ts';
import type { CandleColumnsLike, CandleLike } from './CandleColumnsLike.ts';
import { distanceColumn, ratioColumn, relativeDistance } from './columnMath.ts';
import { EMA, ema } from './EMA.ts';
import { LogReturn, logReturns } from './LogReturn.ts';
import { MACD, macd } from './MACD.ts';
import { RSI, rsi } from './RSI.ts';
import { ZScore, zScore } from './ZScore.ts';

/**
 * The seeds' features on the decision interval, in column order. Scale-free where a model needs it to be:
 * MACD and ATR are also given as fractions of the close so that a model trained at one price level transfers
 * to another; `atr_14` stays in price units because risk rules place stops at ATR multiples.
 */
export const DECISION_FEATURES = [
  'ret_1',
  'ret_3',
  'ret_12',
  'ret_48',
  'log_volume',
  'volume_z_48',
  'rsi_14',
  'ema_dist_9',
  'ema_dist_21',
  'ema_dist_50',
  'macd_rel',
  'macd_signal_rel',
  'macd_hist_rel',
  'bb_pctb_20',
  'bb_width_20',
  'atr_14',
  'atr_rel_14',
] as const;

/** Batch form: one column per name of DECISION_FEATURES, in that order. */
export function decisionColumns(candles: CandleColumnsLike): Float64Array[] {
  const { close, volume } = candles;
  const logVolume = new Float64Array(candles.length);
  for (let i = 0; i < candles.length; i++) logVolume[i] = Math.log1p(volume[i]!);
  const m = macd(close, 12, 26, 9);
  const bands = bollingerBands(close, 20, 2);
  const atr14 = atr(candles, 14);
  return [
    logReturns(close, 1),
    logReturns(close, 3),
    logReturns(close, 12),
    logReturns(close, 48),
    logVolume,
    zScore(volume, 48),
    rsi(close, 14),
    distanceColumn(close, ema(close, 9)),
    distanceColumn(close, ema(close, 21)),
    distanceColumn(close, ema(close, 50)),
    ratioColumn(m.line, close),
    ratioColumn(m.signal, close),
    ratioColumn(m.histogram, close),
    bands.percentB,
    bands.width,
    atr14,
    ratioColumn(atr14, close),
  ];
}

/** Incremental form of `decisionColumns`: writes the same values for one candle into out[at ..]. */
export class DecisionFeatures {
  private readonly ret1 = new LogReturn(1);
  private readonly ret3 = new LogReturn(3);
  private readonly ret12 = new LogReturn(12);
  private readonly ret48 = new LogReturn(48);
  private readonly volumeZ = new ZScore(48);
  private readonly rsi = new RSI(14);
  private readonly ema9 = new EMA(9);
  private readonly ema21 = new EMA(21);
  private readonly ema50 = new EMA(50);
  private readonly macd = new MACD(12, 26, 9);
  private readonly bands = new BollingerBands(20, 2);
  private readonly atr = new ATR(14);

  update(candle: CandleLike, out: Float64Array, at: number): void {
    const { close, volume } = candle;
    this.macd.update(close);
    this.bands.update(close);
    const atr14 = this.atr.update(candle);
    out[at] = this.ret1.update(close);
    out[at + 1] = this.ret3.update(close);
    out[at + 2] = this.ret12.update(close);
    out[at + 3] = this.ret48.update(close);
    out[at + 4] = Math.log1p(volume);
    out[at + 5] = this.volumeZ.update(volume);
    out[at + 6] = this.rsi.update(close);
    out[at + 7] = relativeDistance(close, this.ema9.update(close));
    out[at + 8] = relativeDistance(close, this.ema21.update(close));
    out[at + 9] = relativeDistance(close, this.ema50.update(close));
    out[at + 10] = this.macd.line / close;
    out[at + 11] = this.macd.signal / close;
    out[at + 12] = this.macd.histogram / close;
    out[at + 13] = this.bands.percentB;
    out[at + 14] = this.bands.width;
    out[at + 15] = atr14;
    out[at + 16] = atr14 / close;
  }
}
