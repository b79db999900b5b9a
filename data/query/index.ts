export { loadCandles, streamCandles, loadMarkCandles, loadFunding, DEFAULT_BATCH_ROWS } from './loadCandles.ts';
export type { PriceColumns, FundingKey } from './loadCandles.ts';
export { toArrowTable } from './toArrowTable.ts';
export type { TimeRange } from './TimeRange.ts';
export { SERIES_KINDS, SERIES_TABLE } from './SeriesKind.ts';
export type { SeriesKind } from './SeriesKind.ts';
