import { INTERVAL_MS } from '../Interval.ts';
import { formatTime } from '../UnixMs.ts';
import { invariantError } from '../XylenError.ts';
import { protectiveLevels } from './protectiveLevels.ts';
import { positionSize } from './positionSize.ts';
import type { RiskEvent, RiskRule } from './RiskEvent.ts';
import type { RiskLimits, RiskOptions, SizingOptions } from './RiskOptions.ts';

const DAY_MS = INTERVAL_MS['1d'];
// Shared results for the common case, so per-bar calls allocate nothing.
const NO_EVENTS: readonly RiskEvent[] = Object.freeze([]);
const ACTIVE: TradingState = Object.freeze({ status: 'ACTIVE' });
const HOUR_MS = INTERVAL_MS['1h'];

/** A trade the ensemble wants, as the coordinator hands it to risk at a decision. */
export interface TradeProposal {
  ts: number;
  action: 'long' | 'short';
  /** The ensemble's confidence in [0, 1]. */
  confidence: number;
  /** Expected entry price. */
  price: number;
  equity: number;
  openPositions: number;
  /** Average true range at the decision, for stop_mode atr. */
  atr?: number;
  /** The ensemble's protective levels, for stop_mode ensemble. */
  proposedStopLoss?: number;
  proposedTakeProfit?: number;
  /** Kelly: win probability and payoff ratio (average win / average loss) from the models' record. */
  winRate?: number;
  /** Defaults to the planned reward/risk |take-profit − entry| / |entry − stop|. */
  payoff?: number;
}

export type RiskDecision =
  | {
      status: 'APPROVED';
      /** Base asset, not yet on the exchange's step grid: the coordinator rounds it through the Instrument. */
      quantity: number;
      leverage: number;
      stopLoss: number;
      takeProfit: number;
      /** Rules that adjusted the order (CAPPED) without refusing it. */
      events: RiskEvent[];
    }
  | { status: 'DENIED'; events: RiskEvent[] };

export type TradingState =
  | { status: 'ACTIVE' }
  | { status: 'PAUSED'; until: number; rule: RiskRule }
  | { status: 'HALTED'; since: number };

export interface ClosedTrade {
  ts: number;
  /** Net PnL of the trade (after fees and funding). */
  pnl: number;
  /** Equity after the trade closed. */
  equity: number;
}

/**
 * The stage between the ensemble and the broker (LEAN's risk management): sizes an order and sets its
 * protective levels, or denies it; and watches outcomes and equity to pause or halt trading.
 *
 * Days are UTC days, floor(ts / 86 400 000): counters reset at the first call at or after 00:00 UTC.
 * The daily loss limits work on marked-to-market equity, as traders on Binance watch it: the day's loss is
 * the day's starting equity (the first equity reported at or after 00:00 UTC) minus the current equity, so an
 * open position sinking past the limit pauses new entries without waiting for it to close. A pause stops new
 * entries only; the open position keeps its stop-loss and take-profit. The drawdown shutdown is the one rule
 * that halts for good: the coordinator flattens and trades no more in the run.
 *
 * Consecutive losses count net-losing trades (pnl < 0) across days; a trade that does not lose resets the count,
 * and so does the circuit breaker firing, so after its cooldown it takes another full run of losses to trip again.
 *
 * Calls must come in time order (the engine's clock guarantees it); a timestamp going backwards throws.
 */
export class RiskManager {
  private sizing: SizingOptions;
  private limits: RiskLimits;
  private readonly maxLeverageFor: ((notional: number) => number) | undefined;
  private readonly entryCostRate: number;

  private lastTs = Number.NEGATIVE_INFINITY;
  private day = Number.NaN;
  private dayStartEquity = Number.NaN;
  private realizedToday = 0;
  private tradesToday = 0;
  private readonly firedToday = new Set<RiskRule>();
  private consecutiveLosses = 0;
  private peakEquity = Number.NEGATIVE_INFINITY;
  private pause: { until: number; rule: RiskRule } | undefined;
  private haltedAt: number | undefined;

  constructor(options: RiskOptions) {
    this.sizing = options.sizing;
    this.limits = options.risk;
    this.maxLeverageFor = options.maxLeverageFor;
    this.entryCostRate = options.entryCostRate ?? 0;
  }

  get isHalted(): boolean {
    return this.haltedAt !== undefined;
  }

  /**
   * New sizing and limits from now on (a live promotion), keeping the state: the day's trades and loss, the loss
   * streak, the equity peak, a pause and a halt all carry over, so a promotion can never reset a circuit breaker. A
   * tighter limit takes effect at the next check (a drawdown already past a lowered limit halts at the next mark).
   */
  reconfigure(options: Pick<RiskOptions, 'sizing' | 'risk'>): void {
    this.sizing = options.sizing;
    this.limits = options.risk;
  }

  /** Whether a decision at `ts` may trade at all; cheap enough to call before asking the models. */
  tradingState(ts: number): TradingState {
    if (this.haltedAt !== undefined) return { status: 'HALTED', since: this.haltedAt };
    if (this.pause && ts < this.pause.until) return { status: 'PAUSED', until: this.pause.until, rule: this.pause.rule };
    return ACTIVE;
  }

  /** Size and protect a proposed entry, or deny it. Changes no state: an approval counts once `onTradeOpened` is called. */
  evaluate(proposal: TradeProposal): RiskDecision {
    checkProposal(proposal);
    const { ts, price, equity } = proposal;
    const state = this.tradingState(ts);
    if (state.status === 'HALTED') {
      return deny(ts, 'DRAWDOWN_SHUTDOWN', `trading halted since ${formatTime(state.since)} by the drawdown shutdown`, { since: state.since });
    }
    if (state.status === 'PAUSED') {
      return deny(ts, state.rule, `trading paused by ${state.rule} until ${formatTime(state.until)}`, { until: state.until });
    }
    const maxOpen = this.limits.max_open_positions;
    if (proposal.openPositions >= maxOpen) {
      return deny(ts, 'MAX_OPEN_POSITIONS', `${proposal.openPositions} open position(s), the maximum is ${maxOpen}`, {
        openPositions: proposal.openPositions,
        maxOpenPositions: maxOpen,
      });
    }
    const levels = protectiveLevels(proposal, this.limits);
    if (levels.status === 'INVALID') return deny(ts, 'PROTECTIVE_LEVELS', levels.reason, levels.values);
    const { stopLoss, takeProfit } = levels;
    const stopDistance = Math.abs(price - stopLoss);
    const payoff = proposal.payoff ?? Math.abs(takeProfit - price) / stopDistance;

    const events: RiskEvent[] = [];
    const requested = this.limits.leverage;
    let leverage = Math.min(requested, this.limits.max_leverage);
    if (leverage < requested) {
      events.push(capped(ts, `leverage ${requested}× capped at the configured maximum ${leverage}×`, { requested, leverage }));
    }
    // fixed_amount's size grows with leverage and a bracket's maximum falls with notional, so lower the leverage
    // until the bracket of the resulting notional allows it; it only ever falls, so this ends.
    for (;;) {
      const sized = positionSize(this.sizing, { equity, price, stopDistance, leverage, confidence: proposal.confidence, winRate: proposal.winRate, payoff });
      if (sized.status === 'NO_EDGE') return deny(ts, 'KELLY_NO_EDGE', sized.reason, sized.values, events);
      const maxQuantity = equity / (price * (1 / leverage + this.entryCostRate));
      const quantity = Math.min(sized.quantity, maxQuantity);
      if (!(quantity > 0)) {
        return deny(ts, 'POSITION_SIZE', `sizing gave no positive quantity (${quantity}) at equity ${equity.toFixed(2)}`, { quantity, equity });
      }
      const bracketMax = this.bracketMaxFor(quantity * price);
      if (bracketMax < leverage) {
        events.push(
          capped(ts, `leverage ${leverage}× capped at ${bracketMax}×, the bracket maximum for a notional of ${(quantity * price).toFixed(2)} USDT`, {
            requested: leverage,
            leverage: bracketMax,
            notional: quantity * price,
          }),
        );
        leverage = bracketMax;
        continue;
      }
      if (quantity < sized.quantity) {
        events.push(
          capped(
            ts,
            `size ${sized.quantity.toPrecision(8)} needs more than ${leverage}× leverage (with entry costs) on equity ${equity.toFixed(2)}; capped at ${quantity.toPrecision(8)}`,
            { sizedQuantity: sized.quantity, quantity, leverage, equity, price },
          ),
        );
      }
      return { status: 'APPROVED', quantity, leverage, stopLoss, takeProfit, events };
    }
  }

  /** An approved entry was filled: count it toward the daily trade limit. */
  onTradeOpened(ts: number): readonly RiskEvent[] {
    this.advance(ts);
    this.tradesToday += 1;
    const max = this.limits.max_daily_trades;
    if (this.isHalted || this.tradesToday < max) return NO_EVENTS;
    const reason = `${this.tradesToday} trades today reached the daily limit of ${max}`;
    return [this.pauseUntil(ts, nextUtcMidnight(ts), 'DAILY_TRADE_LIMIT', reason, { tradesToday: this.tradesToday, maxDailyTrades: max })];
  }

  /** A position closed: update the day's realized PnL and the loss streak, then check equity like `onEquity`. */
  onTradeClosed(trade: ClosedTrade): RiskEvent[] {
    checkFinite(trade.pnl, 'pnl');
    this.advance(trade.ts);
    this.realizedToday += trade.pnl;
    const events: RiskEvent[] = [];
    this.consecutiveLosses = trade.pnl < 0 ? this.consecutiveLosses + 1 : 0;
    const max = this.limits.max_consecutive_losses;
    if (!this.isHalted && this.consecutiveLosses >= max) {
      const hours = this.limits.loss_cooldown_hours;
      const until = trade.ts + Math.round(hours * HOUR_MS);
      events.push(
        this.pauseUntil(trade.ts, until, 'CONSECUTIVE_LOSSES', `${this.consecutiveLosses} losing trades in a row (limit ${max}); cooling down for ${hours} h`, {
          consecutiveLosses: this.consecutiveLosses,
          maxConsecutiveLosses: max,
          cooldownHours: hours,
        }),
      );
      this.consecutiveLosses = 0;
    }
    events.push(...this.observeEquity(trade.ts, trade.equity));
    return events;
  }

  /** Marked-to-market equity (e.g. at each base candle close): drawdown shutdown and the daily loss limits. */
  onEquity(ts: number, equity: number): readonly RiskEvent[] {
    this.advance(ts);
    return this.observeEquity(ts, equity);
  }

  private observeEquity(ts: number, equity: number): readonly RiskEvent[] {
    checkFinite(equity, 'equity');
    if (Number.isNaN(this.dayStartEquity)) this.dayStartEquity = equity;
    if (equity > this.peakEquity) this.peakEquity = equity;
    if (this.isHalted) return NO_EVENTS;

    // Called on every base candle: decide with plain numbers and allocate only when a rule fires.
    const peak = this.peakEquity;
    const maxDrawdown = this.limits.max_drawdown_pct;
    const drawdown = peak > 0 ? (peak - equity) / peak : 0;
    if (maxDrawdown > 0 && drawdown >= maxDrawdown) {
      this.haltedAt = ts;
      const reason = `equity ${equity.toFixed(2)} is ${pct(drawdown)} below its peak ${peak.toFixed(2)} (limit ${pct(maxDrawdown)}): flatten and halt`;
      return [{ ts, rule: 'DRAWDOWN_SHUTDOWN', effect: 'HALTED', reason, values: { equity, peak, drawdown, maxDrawdown } }];
    }

    const start = this.dayStartEquity;
    const loss = start - equity;
    const pctLimit = this.limits.daily_loss_limit_pct;
    const absLimit = this.limits.daily_loss_limit_abs;
    const pctHit = pctLimit > 0 && start > 0 && loss / start >= pctLimit && !this.firedToday.has('DAILY_LOSS_LIMIT_PCT');
    const absHit = absLimit > 0 && loss >= absLimit && !this.firedToday.has('DAILY_LOSS_LIMIT_ABS');
    if (!pctHit && !absHit) return NO_EVENTS;

    const events: RiskEvent[] = [];
    const values = { equity, dayStartEquity: start, dayLoss: loss, realizedToday: this.realizedToday };
    const midnight = nextUtcMidnight(ts);
    if (pctHit) {
      this.firedToday.add('DAILY_LOSS_LIMIT_PCT');
      const reason = `lost ${pct(loss / start)} of the day's starting equity ${start.toFixed(2)} (limit ${pct(pctLimit)})`;
      events.push(this.pauseUntil(ts, midnight, 'DAILY_LOSS_LIMIT_PCT', reason, { ...values, limitPct: pctLimit }));
    }
    if (absHit) {
      this.firedToday.add('DAILY_LOSS_LIMIT_ABS');
      const reason = `lost ${loss.toFixed(2)} USDT today (limit ${absLimit.toFixed(2)} USDT)`;
      events.push(this.pauseUntil(ts, midnight, 'DAILY_LOSS_LIMIT_ABS', reason, { ...values, limitAbs: absLimit }));
    }
    return events;
  }

  private pauseUntil(ts: number, until: number, rule: RiskRule, why: string, values: Record<string, number>): RiskEvent {
    if (!this.pause || this.pause.until <= ts || until > this.pause.until) this.pause = { until, rule };
    return { ts, rule, effect: 'PAUSED', reason: `${why}; paused until ${formatTime(until)}`, values: { ...values, until }, until };
  }

  /** Move the clock; a new UTC day resets the daily counters. */
  private advance(ts: number): void {
    if (!Number.isSafeInteger(ts)) throw invariantError('RISK_TIME', `risk manager: ${ts} is not an integer millisecond timestamp`);
    if (ts < this.lastTs) throw invariantError('RISK_TIME', `risk manager: time went backwards from ${formatTime(this.lastTs)} to ${formatTime(ts)}`);
    this.lastTs = ts;
    const day = Math.floor(ts / DAY_MS);
    if (day === this.day) return;
    this.day = day;
    this.dayStartEquity = Number.NaN;
    this.realizedToday = 0;
    this.tradesToday = 0;
    this.firedToday.clear();
  }

  private bracketMaxFor(notional: number): number {
    if (!this.maxLeverageFor) return Number.POSITIVE_INFINITY;
    const max = this.maxLeverageFor(notional);
    if (!(max >= 1)) throw invariantError('RISK_BRACKET', `maxLeverageFor(${notional}) returned ${max}; a bracket allows at least 1×`);
    return max;
  }
}

/** 00:00 UTC of the day after `ts`. */
export function nextUtcMidnight(ts: number): number {
  return (Math.floor(ts / DAY_MS) + 1) * DAY_MS;
}

function deny(ts: number, rule: RiskRule, reason: string, values: Record<string, number>, earlier: RiskEvent[] = []): RiskDecision {
  return { status: 'DENIED', events: [...earlier, { ts, rule, effect: 'DENIED', reason, values }] };
}

function capped(ts: number, reason: string, values: Record<string, number>): RiskEvent {
  return { ts, rule: 'LEVERAGE_CAP', effect: 'CAPPED', reason, values };
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}

function checkFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw invariantError('RISK_INPUT', `risk manager: ${what} is ${value}, not a finite number`);
}

function checkProposal(p: TradeProposal): void {
  if (!(p.price > 0)) throw invariantError('RISK_INPUT', `risk manager: entry price ${p.price} is not positive`);
  checkFinite(p.equity, 'equity');
  if (!(p.confidence >= 0 && p.confidence <= 1)) throw invariantError('RISK_INPUT', `risk manager: confidence ${p.confidence} is outside [0, 1]`);
  if (p.winRate !== undefined && !(p.winRate >= 0 && p.winRate <= 1)) {
    throw invariantError('RISK_INPUT', `risk manager: win rate ${p.winRate} is outside [0, 1]`);
  }
}
