/**
 * What the risk manager is configured with: the `sizing` and `risk` sections of xylen.yaml, passed as they
 * are (`{ sizing: config.sizing, risk: config.risk }`), so the keys keep their config spelling.
 */
export type SizingMethod = 'fixed_fraction' | 'kelly' | 'fixed_amount';

/** Where stop-loss and take-profit come from: a percent of the entry, a multiple of ATR, or the ensemble's proposal. */
export type StopMode = 'pct' | 'atr' | 'ensemble';

export interface SizingOptions {
  method: SizingMethod;
  /** fixed_fraction: share of equity lost if the stop is hit. */
  fraction: number;
  /** fixed_amount: margin per trade in USDT. */
  amount: number;
  /** kelly: cap on the (confidence-weighted) Kelly fraction. */
  kelly_cap: number;
}

/**
 * The `risk` section (defaults live in config/schema.ts, the one place they are written).
 * A zero `daily_loss_limit_pct`, `daily_loss_limit_abs` or `max_drawdown_pct` disables that rule (a zero limit
 * taken literally would stop trading at the first tick, which nobody means).
 */
export interface RiskLimits {
  stop_loss_pct: number;
  take_profit_pct: number;
  /** Leverage asked for; capped by `max_leverage` and the margin bracket of the position's notional. */
  leverage: number;
  max_open_positions: number;
  max_daily_trades: number;
  daily_loss_limit_pct: number;
  daily_loss_limit_abs: number;
  max_consecutive_losses: number;
  max_drawdown_pct: number;
  stop_mode: StopMode;
  /** stop_mode atr: the stop sits this many ATRs from the entry, the take-profit `atr_tp_mult` ATRs. */
  atr_stop_mult: number;
  atr_tp_mult: number;
  /** Hard ceiling on leverage whatever `leverage` says. */
  max_leverage: number;
  /** How long the consecutive-loss circuit breaker pauses trading. */
  loss_cooldown_hours: number;
}

export interface RiskOptions {
  sizing: SizingOptions;
  risk: RiskLimits;
  /** The exchange's maximum leverage for a position of this notional (USDT), e.g. `MarginBrackets.maxLeverage`. */
  maxLeverageFor?: (notional: number) => number;
  /**
   * Cost of entering as a fraction of notional (taker fee + expected slippage), reserved beside the margin when the
   * size is capped by leverage, so that a capped order still fits the balance the broker checks. Default 0.
   */
  entryCostRate?: number;
}
