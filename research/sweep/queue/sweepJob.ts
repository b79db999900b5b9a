import type { XylenConfig } from '../../../config/index.ts';
import type { RunMetrics } from '../../metrics/computeMetrics.ts';
import type { SweepConfigResult } from '../runSweepConfig.ts';
import type { SweepDataRequest } from '../SweepDataset.ts';

/** The BullMQ queue `xylen sweep --queue` and `xylen worker` use unless told another. */
export const DEFAULT_QUEUE_NAME = 'xylen-sweeps';

/** What a queue job carries: one configuration, the data it must replay, and that data's checksum. */
export interface SweepJobData {
  sweepId: string;
  index: number;
  hash: string;
  config: XylenConfig;
  data: SweepDataRequest;
  periodMs: number;
  /** The sweep's dataChecksum: a worker whose store holds other candles must not answer. */
  checksum: string;
}

/** A job's return value: the result with its returns as base64 of their float64 bytes (exact, and a third of JSON's size). */
export interface SweepJobResult {
  worker: string;
  index: number;
  hash: string;
  metrics: RunMetrics;
  returns: string;
  bars: number;
  decisions: number;
  elapsedMs: number;
}

/** Job ids: one per sweep and configuration, so adding a job twice (a rerun) adds it once. */
export function sweepJobId(sweepId: string, hash: string): string {
  return `${sweepId}-${hash}`;
}

export function encodeJobResult(result: SweepConfigResult, worker: string): SweepJobResult {
  const { returns, ...rest } = result;
  return { ...rest, worker, returns: Buffer.from(returns.buffer, returns.byteOffset, returns.byteLength).toString('base64') };
}

export function decodeJobResult(value: SweepJobResult): { result: SweepConfigResult; worker: string } {
  const bytes = Buffer.from(value.returns, 'base64');
  const returns = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(returns.buffer).set(bytes);
  const { worker, returns: _encoded, ...rest } = value;
  return { result: { ...rest, returns }, worker };
}
