// Public API of parameter sweeps: grids, the local pool and the queue, the stored results and their statistics.
export { parseGrid, sweepableKeys } from './parseGrid.ts';
export type { Grid, GridAxis } from './parseGrid.ts';
export { expandGrid, configHash, describeParams, withOverrides } from './expandGrid.ts';
export type { SweepConfig } from './expandGrid.ts';
export { runSweep, sweepIdFor, choosePeriod } from './runSweep.ts';
export type { SweepRequest, SweepPlan, SweepOutcome, SweepRunner } from './runSweep.ts';
export { runSweepConfig, periodEquityReturns } from './runSweepConfig.ts';
export type { SweepTask, SweepConfigResult } from './runSweepConfig.ts';
export { loadSweepDataset, dataChecksum } from './loadSweepDataset.ts';
export type { SweepDataset, SweepDataRequest } from './SweepDataset.ts';
export { summarizeSweep, rankResults, rankMetric, RANKABLE_METRICS } from './summarizeSweep.ts';
export type { SweepSummary, RankedConfig, SummarizeOptions } from './summarizeSweep.ts';
export { listSweeps, getSweep, latestSweep, sweepResults, SWEEP_ID_PATTERN } from './sweepTables.ts';
export type { StoredSweep, StoredSweepResult, SweepStatus } from './sweepTables.ts';
