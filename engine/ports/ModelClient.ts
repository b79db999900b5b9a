import type { Prediction } from '../ensemble/Prediction.ts';

/** What a model is asked at a decision: the feature row known at `ts` (the decision candle's close). */
export interface ModelRequest {
  ts: number;
  /** Row index into the run's feature matrix (lets a batched client answer from a precomputed table). */
  row: number;
  /** The row's values, in the order of `names` (a view: copy it to keep it). */
  features: Float64Array;
  names: readonly string[];
}

/** A closed trade, fed back to the models that voted on it. */
export interface TradeOutcome {
  /** The decision time the trade came from. */
  ts: number;
  row: number;
  side: 'long' | 'short';
  entryPrice: number;
  exitPrice: number;
  /** Net return of the trade on its margin, after fees and funding. */
  pnl: number;
  /** The label the trade earned: the direction that would have been right. */
  label: 'long' | 'short' | 'hold';
}

/**
 * A model as the coordinator sees it: in-process (batched, precomputed in replay) or behind HTTP. The
 * coordinator calls every enabled client at each decision with a timeout, and goes on with those that answered.
 */
export interface ModelClient {
  readonly name: string;
  predict(request: ModelRequest): Promise<Prediction>;
  /**
   * The same answer without a promise, for clients that need no I/O to give it (precomputed in replay).
   * The coordinator uses it when every client has it, which spares a promise round trip per model per decision.
   * The answer is the client's to reuse at its next call: copy it to keep it.
   */
  predictNow?(request: ModelRequest): Prediction;
  /** Outcomes of closed trades; a client may retrain once it has enough. */
  retrain(outcomes: readonly TradeOutcome[]): Promise<void>;
}
