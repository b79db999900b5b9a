import { invariantError } from '../XylenError.ts';
import { formatTime } from '../UnixMs.ts';
import type { CandleColumnsLike, CandleLike } from './CandleColumnsLike.ts';

/**
 * Candles reaching the features are already validated by the data layer, so a NaN price or time going
 * backwards here means corrupt data or a bug upstream: stop rather than compute features from it.
 */
export function checkCandle(stream: string, previousOpenTime: number, candle: CandleLike): void {
  checkValues(stream, previousOpenTime, candle.openTime, candle.high, candle.low, candle.close, candle.volume);
}

/** `checkCandle` over a whole column set (without an object per row), plus the columns' lengths. */
export function checkColumns(stream: string, candles: CandleColumnsLike): void {
  const { length, openTime, high, low, close, volume } = candles;
  for (const column of [openTime, high, low, close, volume]) {
    if (column.length < length) {
      throw invariantError('CANDLE_COLUMNS', `${stream} candles: a column has ${column.length} values, expected ${length}`);
    }
  }
  for (let i = 0; i < length; i++) {
    checkValues(stream, i === 0 ? -Infinity : openTime[i - 1]!, openTime[i]!, high[i]!, low[i]!, close[i]!, volume[i]!);
  }
}

function checkValues(
  stream: string,
  previousOpenTime: number,
  openTime: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): void {
  if (!(openTime > previousOpenTime)) {
    throw invariantError(
      'CANDLE_TIME_ORDER',
      `${stream} candle opening ${timeText(openTime)} does not follow the one opening ${timeText(previousOpenTime)}`,
      { where: `${stream} candles`, hint: 'candles must come in strictly increasing open time, without duplicates' },
    );
  }
  if (!(Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close) && Number.isFinite(volume))) {
    throw invariantError(
      'CANDLE_NOT_FINITE',
      `${stream} candle opening ${timeText(openTime)} has a non-finite value (high ${high}, low ${low}, close ${close}, volume ${volume})`,
      { where: `${stream} candles`, hint: 'validate or re-import the series (`xylen data`)' },
    );
  }
}

function timeText(ms: number): string {
  return Number.isFinite(ms) ? formatTime(ms) : String(ms);
}
