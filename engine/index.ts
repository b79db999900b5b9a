export { XylenError, ErrorKind, inputError, operationalError, invariantError } from './XylenError.ts';
export type { XylenErrorOptions } from './XylenError.ts';
export { INTERVAL_MS, INTERVALS, isInterval, parseInterval, intervalMs } from './Interval.ts';
export type { Interval } from './Interval.ts';
export { unixMs, parseTime, formatTime } from './UnixMs.ts';
export type { UnixMs } from './UnixMs.ts';
