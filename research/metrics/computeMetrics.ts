import { assertNever, type JournalRecord } from '../../engine/index.ts';
import { EquityCurve } from './EquityCurve.ts';
import { maxDrawdown } from './maxDrawdown.ts';
import { annualVolatility, compoundAnnualGrowth, periodReturns, periodsPerYear, sharpeRatio, sortinoRatio, YEAR_MS } from './returnRatios.ts';
import { tradeStats, type ClosedTrade, type TradeStats } from './tradeStats.ts';

export interface MetricsInput {
  /** Equity at each decision bar (Unix ms at the bar's close), oldest first, and the position size then (signed). */
  time: ArrayLike<number>;
  equity: ArrayLike<number>;
  quantity: ArrayLike<number>;
  /** The decision bar length: the returns' period. */
  barMs: number;
  trades: readonly ClosedTrade[];
  /** Σ |quantity · price| over all fills (quote currency). */
  tradedNotional: number;
  /** Fees paid (positive) and funding paid (positive = paid, negative = received), including any open trade's. */
  fees: number;
  fundingPaid: number;
  /** Closes of the replayed symbol at the first and last decision bar, for buy-and-hold. */
  firstClose: number;
  lastClose: number;
}

/**
 * A run's performance. Ratios are fractions (0.12 = 12 %), money is in the quote currency, times are Unix ms.
 * Sharpe, Sortino and volatility come from per-bar simple returns with a zero risk-free rate, annualised on
 * 365 days (`periodsPerYear` = 365·86,400,000 / barMs). A metric that is undefined for the run is null.
 */
export interface RunMetrics extends TradeStats {
  annualisation: { basis: '365 days'; barMs: number; periodsPerYear: number };
  start: number | null;
  end: number | null;
  startEquity: number | null;
  endEquity: number | null;
  totalReturn: number | null;
  cagr: number | null;
  volatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  /** CAGR / max drawdown. */
  calmar: number | null;
  maxDrawdown: number;
  maxDrawdownPeak: number | null;
  maxDrawdownTrough: number | null;
  maxDrawdownRecovery: number | null;
  maxDrawdownDurationMs: number;
  /** Share of decision bars that began with a position open. */
  exposure: number | null;
  tradedNotional: number;
  /** Traded notional / mean equity over the whole run, and that per year of run time. */
  turnover: number | null;
  turnoverAnnualised: number | null;
  fees: number;
  fundingPaid: number;
  buyAndHoldReturn: number | null;
  /** Risk rules that fired, by rule: how often, with what effect, and when first (e.g. when a drawdown shutdown halted trading). */
  riskEvents: Record<string, { count: number; effect: string; first: number }>;
}

export function computeMetrics(input: MetricsInput, riskEvents: RunMetrics['riskEvents'] = {}): RunMetrics {
  const { time, equity, quantity, barMs } = input;
  const n = equity.length;
  const perYear = periodsPerYear(barMs);
  const returns = periodReturns(equity);
  const drawdown = maxDrawdown(time, equity);
  const startEquity = n > 0 ? equity[0]! : null;
  const endEquity = n > 0 ? equity[n - 1]! : null;
  const totalReturn = startEquity !== null && endEquity !== null && startEquity > 0 ? endEquity / startEquity - 1 : null;
  const years = n > 1 ? (time[n - 1]! - time[0]!) / YEAR_MS : 0;
  const cagr = totalReturn === null ? null : compoundAnnualGrowth(totalReturn, years);
  let inPosition = 0;
  let equitySum = 0;
  for (let i = 0; i < n; i++) {
    if (quantity[i] !== 0) inPosition++;
    equitySum += equity[i]!;
  }
  const meanEquity = equitySum / n;
  const turnover = n > 0 && meanEquity > 0 ? input.tradedNotional / meanEquity : null;
  return {
    annualisation: { basis: '365 days', barMs, periodsPerYear: perYear },
    start: n > 0 ? time[0]! : null,
    end: n > 0 ? time[n - 1]! : null,
    startEquity,
    endEquity,
    totalReturn,
    cagr,
    volatility: annualVolatility(returns, perYear),
    sharpe: sharpeRatio(returns, perYear),
    sortino: sortinoRatio(returns, perYear),
    calmar: cagr !== null && drawdown.depth > 0 ? cagr / drawdown.depth : null,
    maxDrawdown: drawdown.depth,
    maxDrawdownPeak: drawdown.peakTs,
    maxDrawdownTrough: drawdown.troughTs,
    maxDrawdownRecovery: drawdown.recoveryTs,
    maxDrawdownDurationMs: drawdown.durationMs,
    ...tradeStats(input.trades),
    exposure: n > 0 ? inPosition / n : null,
    tradedNotional: input.tradedNotional,
    turnover,
    turnoverAnnualised: turnover !== null && years > 0 ? turnover / years : null,
    fees: input.fees,
    fundingPaid: input.fundingPaid,
    buyAndHoldReturn: input.firstClose > 0 ? input.lastClose / input.firstClose - 1 : null,
    riskEvents,
  };
}

/** The market side of a run's metrics: the decision bar length and the symbol's closes at the first and last decision bar. */
export interface MetricsMarket {
  barMs: number;
  firstClose: number;
  lastClose: number;
}

/**
 * Metrics of a journal: the equity curve from its heartbeats and equity marks (one per decision bar, and the run's
 * end), trades from its trade records, fees and traded notional from every fill, funding from every settlement, and
 * the risk rules that fired. `firstClose`/`lastClose` come from the loaded candles, not the journal.
 */
export function metricsFromJournal(records: Iterable<JournalRecord>, market: MetricsMarket): RunMetrics {
  const curve = new EquityCurve();
  const others: JournalRecord[] = [];
  for (const r of records) {
    if (r.type === 'heartbeat' || r.type === 'equity') curve.push(r.ts, r.equity, r.quantity);
    else others.push(r);
  }
  return metricsFromCurve(curve, others, market);
}

/** The same from a run's equity curve and its other records (heartbeats and equity marks in `records` are not read). */
export function metricsFromCurve(curve: EquityCurve, records: Iterable<JournalRecord>, market: MetricsMarket): RunMetrics {
  const trades: ClosedTrade[] = [];
  let tradedNotional = 0;
  let fees = 0;
  let fundingPaid = 0;
  const riskEvents: RunMetrics['riskEvents'] = {};
  for (const r of records) {
    switch (r.type) {
      case 'trade':
        trades.push(r);
        break;
      case 'fill':
        tradedNotional += Math.abs(r.fill.quantity * r.fill.price);
        fees += r.fill.fee;
        break;
      case 'funding':
        fundingPaid -= r.payment;
        break;
      case 'risk': {
        const seen = riskEvents[r.event.rule];
        if (seen) seen.count++;
        else riskEvents[r.event.rule] = { count: 1, effect: r.event.effect, first: r.ts };
        break;
      }
      case 'heartbeat':
      case 'equity':
      case 'order':
      case 'config':
        break;
      default:
        assertNever(r, 'journal record');
    }
  }
  return computeMetrics(
    { time: curve.time, equity: curve.equity, quantity: curve.quantity, barMs: market.barMs, trades, tradedNotional, fees, fundingPaid, firstClose: market.firstClose, lastClose: market.lastClose },
    riskEvents,
  );
}
