/**
 * The candle shapes the feature code reads. Defined here, not imported from data/, so the engine stays
 * independent of the store; data's `CandleColumns` satisfies `CandleColumnsLike` structurally.
 * `openTime` is Unix ms of the candle's open; a candle is *known* only at its close (openTime + interval).
 */
export interface CandleColumnsLike {
  readonly length: number;
  readonly openTime: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** One closed candle, as the live feed and the replay clock hand it to the incremental `FeatureEngine`. */
export interface CandleLike {
  readonly openTime: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}
