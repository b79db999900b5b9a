import { describe, expect, it } from 'vitest';
import { BAR_MS, END_EQUITY, sampleJournal, START_EQUITY, TRADE } from '../test/sampleJournal.ts';
import { computeMetrics, metricsFromJournal } from './computeMetrics.ts';
import { YEAR_MS } from './returnRatios.ts';

describe('metricsFromJournal', () => {
  const metrics = metricsFromJournal(sampleJournal(), { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 });

  it('reconciles with the hand-worked trade: equity change = PnL − fees + funding', () => {
    expect(metrics.startEquity).toBe(START_EQUITY);
    expect(metrics.endEquity).toBe(END_EQUITY);
    expect(metrics.endEquity! - metrics.startEquity!).toBeCloseTo(TRADE.pnl - TRADE.fees + TRADE.funding, 9);
    expect(metrics.fees).toBeCloseTo(TRADE.fees, 12);
    expect(metrics.fundingPaid).toBeCloseTo(-TRADE.funding, 12);
    expect(metrics.totalReturn).toBeCloseTo(44.3525 / 10_000, 12);
  });

  it('counts trades, exposure, turnover and buy-and-hold by hand', () => {
    expect(metrics).toMatchObject({ trades: 1, winRate: 1, profitFactor: null, start: sampleJournal()[0]!.ts });
    expect(metrics.expectancy).toBeCloseTo(44.3525, 9);
    expect(metrics.exposure).toBe(2 / 4); // two of the four equity bars began in the position
    expect(metrics.tradedNotional).toBeCloseTo(0.1 * 42_010 + 0.1 * 42_500, 9);
    const meanEquity = (10_000 + 10_006.8995 + 10_016.4775 + 10_044.3525) / 4;
    expect(metrics.turnover).toBeCloseTo(8_451 / meanEquity, 12);
    expect(metrics.turnoverAnnualised).toBeCloseTo(8_451 / meanEquity / ((3 * BAR_MS) / YEAR_MS), 6);
    expect(metrics.buyAndHoldReturn).toBeCloseTo(300 / 42_000, 12);
    expect(metrics.maxDrawdown).toBe(0);
    expect(metrics.calmar).toBeNull();
    expect(metrics.annualisation).toEqual({ basis: '365 days', barMs: BAR_MS, periodsPerYear: 105_120 });
  });
});

describe('computeMetrics', () => {
  it('gives empyrical’s Calmar for its mixed daily returns (annualised on 252 periods)', () => {
    // quantopian/empyrical test_calmar: mixed_returns, DAILY → 19.135925373194233 (CAGR 1.91359…, max drawdown 10 %).
    const barMs = YEAR_MS / 252;
    const returns = [0, 1, 10, -4, 2, 3, 2, 1, -10].map((r) => r / 100);
    const equity = returns.reduce((acc, r) => [...acc, acc.at(-1)! * (1 + r)], [100]);
    const time = equity.map((_, i) => i * barMs);
    const m = computeMetrics({ time, equity, quantity: equity.map(() => 1), barMs, trades: [], tradedNotional: 0, fees: 0, fundingPaid: 0, firstClose: 1, lastClose: 1 });
    expect(m.cagr).toBeCloseTo(1.9135925373194231, 8);
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(m.calmar).toBeCloseTo(19.135925373194233, 7);
    expect(m.exposure).toBe(1);
    expect(m.maxDrawdownRecovery).toBeNull();
    expect(m.maxDrawdownDurationMs).toBeCloseTo(m.end! - m.maxDrawdownPeak!, 6);
  });

  it('returns nulls, not NaN, for an empty run (JSON keeps them)', () => {
    const m = computeMetrics({ time: [], equity: [], quantity: [], barMs: 300_000, trades: [], tradedNotional: 0, fees: 0, fundingPaid: 0, firstClose: 0, lastClose: 0 });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect(m).toMatchObject({ totalReturn: null, cagr: null, sharpe: null, sortino: null, exposure: null, turnover: null, buyAndHoldReturn: null, trades: 0 });
  });
});
