export { Store, DEFAULT_DB_PATH } from './Store.ts';
export type { StoreOptions } from './Store.ts';
export { MIGRATIONS } from './migrations.ts';
export type { Migration } from './migrations.ts';
export { checkOutputFile, makeOutputDir } from './outputPaths.ts';
export { MARKETS, sliceCandles } from './CandleColumns.ts';
export type { Market, SeriesKey, CandleColumns, FundingColumns } from './CandleColumns.ts';
export * from './query/index.ts';
export * from './import/index.ts';
