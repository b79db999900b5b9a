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
  | 'INSUFFICIENT_MARGIN'
  /** Stop-loss / take-profit missing (no ATR) or on the wrong side of the entry. */
  | 'PROTECTIVE_LEVELS'
  /** Kelly sizing found no positive edge (or no win rate yet). */
  | 'KELLY_NO_EDGE'
  /** Sizing gave no positive quantity (e.g. equity at or below zero, a zero fraction). */
  | 'POSITION_SIZE';

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
