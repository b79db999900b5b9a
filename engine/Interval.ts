import { inputError } from './XylenError.ts';

/** Candle intervals as Binance names them, with their length in milliseconds. */
export const INTERVAL_MS = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
} as const;

export type Interval = keyof typeof INTERVAL_MS;
export const INTERVALS = Object.keys(INTERVAL_MS) as Interval[];

export function isInterval(value: string): value is Interval {
  return Object.hasOwn(INTERVAL_MS, value);
}

/** Validating constructor: a user-supplied string becomes an `Interval` or a clear input error. */
export function parseInterval(value: string, where = 'interval'): Interval {
  if (isInterval(value)) return value;
  throw inputError('BAD_INTERVAL', `unknown interval "${value}"`, {
    where,
    hint: `use one of ${INTERVALS.join(', ')}`,
  });
}

export function intervalMs(interval: Interval): number {
  return INTERVAL_MS[interval];
}
