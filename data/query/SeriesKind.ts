/** The three kinds of series the store holds, by the table that holds them. */
export const SERIES_TABLE = {
  candles: 'candles',
  mark: 'mark_candles',
  funding: 'funding_rates',
} as const;

export type SeriesKind = keyof typeof SERIES_TABLE;
export const SERIES_KINDS = Object.keys(SERIES_TABLE) as SeriesKind[];
