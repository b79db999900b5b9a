// The notebooks' toolkit: flags, store, printed prose and tables, reports; hourly returns; paired Sharpe bootstrap.
export { Notebook, formatRows, pct, round } from './Notebook.ts';
export type { NotebookDefaults } from './Notebook.ts';
export { hourlyReturns, HOURS_PER_YEAR } from './hourlyReturns.ts';
export { sharpeDifference } from './sharpeDifference.ts';
export type { SharpeDifference } from './sharpeDifference.ts';
