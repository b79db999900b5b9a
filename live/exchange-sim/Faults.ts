/** Faults a test (or a rehearsal) injects into the simulator, through `POST /_sim/fault` or `sim.inject(…)`. */
export type Fault =
  /** Move the server's clock: clients that do not re-sync get -1021. */
  | { kind: 'skew'; ms: number }
  /** The next `count` requests (whose path starts with `path`, default any /fapi/ path) get 429 -1003 with Retry-After. */
  | { kind: '429'; count: number; retryAfterS?: number; path?: string }
  /** The next `count` requests get a 5xx; with `afterExecute` an order request is carried out first (status unknown to the client). */
  | { kind: '5xx'; count: number; status?: number; path?: string; afterExecute?: boolean }
  /** The next new order (regular or algo) is rejected with this Binance code (default -2019 margin insufficient). */
  | { kind: 'reject-order'; code?: number; msg?: string }
  /** Close websocket connections now: market streams, user data streams or both. */
  | { kind: 'drop-ws'; target?: 'market' | 'user' | 'all' }
  /** Stop pushing market stream messages for `bars` bars (a silent gap the client must notice and backfill). */
  | { kind: 'mute-ws'; bars: number }
  | { kind: 'clear' };

export interface FaultState {
  skewMs: number;
  burst429: { count: number; retryAfterS: number; path: string } | undefined;
  burst5xx: { count: number; status: number; path: string; afterExecute: boolean } | undefined;
  rejectOrder: { code: number; msg: string } | undefined;
  muteBars: number;
}

export function emptyFaults(): FaultState {
  return { skewMs: 0, burst429: undefined, burst5xx: undefined, rejectOrder: undefined, muteBars: 0 };
}
