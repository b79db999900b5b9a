/** The risk rules of the seeds, each journaled by this name when it fires. */
export type RiskRule =
  | 'MAX_OPEN_POSITIONS'
  | 'LEVERAGE_CAP'
  | 'DAILY_TRADE_LIMIT'
  | 'DAILY_LOSS_LIMIT_PCT'
  | 'DAILY_LOSS_LIMIT_ABS'
  | 'CONSECUTIVE_LOSSES'
  | 'DRAWDOWN_SHUTDOWN'
  | 'ORDER_FILTER'
  | 'INSUFFICIENT_MARGIN';

/**
 * What a rule did: DENIED one order; PAUSED trading until `until` (next UTC day, or the end of a
 * cooldown); HALTED trading for good (emergency: flatten and stop); CAPPED a value (e.g. leverage) and went on.
 */
export type RiskEffect = 'DENIED' | 'PAUSED' | 'HALTED' | 'CAPPED';

/** A rule firing, with the numbers that made it fire (journaled verbatim). */
export interface RiskEvent {
  ts: number;
  rule: RiskRule;
  effect: RiskEffect;
  reason: string;
  values: Record<string, number>;
  /** For PAUSED: when trading may resume (Unix ms). */
  until?: number;
}
