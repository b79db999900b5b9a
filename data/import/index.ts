export { importCandleColumns, importMarkCandleColumns, importFundingColumns } from './importColumns.ts';
export type { CandleColumnsMeta, FundingColumnsMeta } from './importColumns.ts';
export { importPaths } from './importPaths.ts';
export { describeProblem, MAX_PROBLEMS } from './ImportResult.ts';
export type { Dataset, FileImportResult, ImportOptions, ImportProblem, ImportProgress, ImportReport } from './ImportResult.ts';
