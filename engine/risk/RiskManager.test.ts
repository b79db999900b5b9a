import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { BTCUSDT_BRACKETS, MarginBrackets } from '../broker/MarginBrackets.ts';
import { parseTime } from '../UnixMs.ts';
import { RiskManager, type RiskDecision, type TradeProposal } from './RiskManager.ts';
import type { RiskLimits, SizingOptions } from './RiskOptions.ts';

const HOUR = 3_600_000;
const T0 = parseTime('2024-03-01'); // 00:00 UTC
const MIDNIGHT = parseTime('2024-03-02');
const defaults = configSchema.parse({});

// The config's own sections, so the test also proves the coordinator can pass them as they are.
const manager = (sizing: Partial<SizingOptions> = {}, risk: Partial<RiskLimits> = {}, maxLeverageFor?: (n: number) => number) =>
  new RiskManager({ sizing: { ...defaults.sizing, ...sizing }, risk: { ...defaults.risk, ...risk }, maxLeverageFor });

const proposal = (overrides: Partial<TradeProposal> = {}): TradeProposal => ({
  ts: T0 + HOUR,
  action: 'long',
  confidence: 0.8,
  price: 50_000,
  equity: 10_000,
  openPositions: 0,
  ...overrides,
});

function approved(decision: RiskDecision) {
  if (decision.status !== 'APPROVED') throw new Error(`expected an approval, got ${JSON.stringify(decision.events)}`);
  return decision;
}

describe('RiskManager sizing, worked by hand', () => {
  it('fixed_fraction: 2 % of 10 000 over a 2 % stop at 50 000 is 0.2 BTC, stop 49 000, target 52 000, no event', () => {
    const d = approved(manager().evaluate(proposal()));
    expect(d.quantity).toBeCloseTo(0.2, 12);
    expect([d.leverage, d.stopLoss, d.takeProfit, d.events]).toEqual([3, 49_000, 52_000, []]);
  });

  it('fixed_fraction over a 0.5 % stop wants 0.8 BTC (40 000 USDT) but 3× on 10 000 allows 0.6: CAPPED', () => {
    const d = approved(manager({}, { stop_loss_pct: 0.005 }).evaluate(proposal()));
    expect(d.quantity).toBeCloseTo(0.6, 12);
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({ rule: 'LEVERAGE_CAP', effect: 'CAPPED', values: { leverage: 3, equity: 10_000, price: 50_000 } });
    expect(d.events[0]!.values.sizedQuantity).toBeCloseTo(0.8, 12);
  });

  it('a capped size leaves room for the entry costs: margin + fee fits the equity the broker checks', () => {
    // 3× on 10 000 at 50 000 with 0.07 % entry costs: q = 10 000 / (50 000 · (1/3 + 0.0007)) = 0.598744…
    const withCosts = new RiskManager({ sizing: defaults.sizing, risk: { ...defaults.risk, stop_loss_pct: 0.005 }, entryCostRate: 0.0007 });
    const d = approved(withCosts.evaluate(proposal()));
    expect(d.quantity).toBeCloseTo(10_000 / (50_000 * (1 / 3 + 0.0007)), 12);
    const margin = (d.quantity * 50_000) / 3;
    expect(margin + d.quantity * 50_000 * 0.0007).toBeCloseTo(10_000, 6);
  });

  it('kelly with no payoff given uses the planned reward/risk 4 %/2 % = 2: p 0.5 ⇒ f* 0.25, × confidence 0.4 = 10 % ⇒ 1 BTC', () => {
    const d = approved(manager({ method: 'kelly' }, { leverage: 10 }).evaluate(proposal({ winRate: 0.5, confidence: 0.4 })));
    expect(d.quantity).toBeCloseTo(1, 12);
  });

  it('fixed_amount: 100 USDT margin at 3× on 50 000 is 0.006 BTC', () => {
    expect(approved(manager({ method: 'fixed_amount' }).evaluate(proposal())).quantity).toBeCloseTo(0.006, 15);
  });

  it('short: the stop is above the entry and the target below', () => {
    const d = approved(manager().evaluate(proposal({ action: 'short' })));
    expect([d.stopLoss, d.takeProfit]).toEqual([51_000, 48_000]);
    expect(d.quantity).toBeCloseTo(0.2, 12);
  });
});

describe('RiskManager rules fire in scenarios built for them', () => {
  it('MAX_OPEN_POSITIONS denies a second position when one is allowed', () => {
    const d = manager().evaluate(proposal({ openPositions: 1 }));
    expect(d).toEqual({
      status: 'DENIED',
      events: [{ ts: T0 + HOUR, rule: 'MAX_OPEN_POSITIONS', effect: 'DENIED', reason: expect.stringMatching(/1 open .*maximum is 1/), values: { openPositions: 1, maxOpenPositions: 1 } }],
    });
  });

  it('LEVERAGE_CAP: 50× asked with max_leverage 20 is capped at 20', () => {
    const d = approved(manager({ method: 'fixed_amount' }, { leverage: 50, max_leverage: 20 }).evaluate(proposal()));
    expect(d.leverage).toBe(20);
    expect(d.events[0]).toMatchObject({ rule: 'LEVERAGE_CAP', effect: 'CAPPED', values: { requested: 50, leverage: 20 } });
    expect(d.quantity).toBeCloseTo((100 * 20) / 50_000, 15);
  });

  it('LEVERAGE_CAP by bracket: 1 000 USDT at 125× is 125 000 notional, above the 50 000 tier floor where 100× is the most', () => {
    const brackets = new MarginBrackets(BTCUSDT_BRACKETS);
    const m = manager({ method: 'fixed_amount', amount: 1_000 }, { leverage: 125, max_leverage: 125 }, (n) => brackets.maxLeverage(n));
    const d = approved(m.evaluate(proposal()));
    expect(d.leverage).toBe(100);
    expect(d.quantity).toBeCloseTo(2, 12); // 1 000 × 100 / 50 000
    expect(d.events).toEqual([expect.objectContaining({ rule: 'LEVERAGE_CAP', effect: 'CAPPED', values: { requested: 125, leverage: 100, notional: 125_000 } })]);
  });

  it('DAILY_TRADE_LIMIT pauses at the limit until 00:00 UTC, and the count restarts exactly then', () => {
    const m = manager({}, { max_daily_trades: 3 });
    expect(m.onTradeOpened(T0 + HOUR)).toEqual([]);
    expect(m.onTradeOpened(T0 + 2 * HOUR)).toEqual([]);
    const [event] = m.onTradeOpened(T0 + 3 * HOUR);
    expect(event).toMatchObject({ rule: 'DAILY_TRADE_LIMIT', effect: 'PAUSED', until: MIDNIGHT, values: { tradesToday: 3, maxDailyTrades: 3 } });
    expect(event!.reason).toMatch(/3 trades today reached the daily limit of 3; paused until 2024-03-02 00:00:00Z/);
    expect(m.tradingState(MIDNIGHT - 1)).toEqual({ status: 'PAUSED', until: MIDNIGHT, rule: 'DAILY_TRADE_LIMIT' });
    expect(m.evaluate(proposal({ ts: MIDNIGHT - 1 })).events[0]).toMatchObject({ rule: 'DAILY_TRADE_LIMIT', effect: 'DENIED' });
    expect(m.tradingState(MIDNIGHT)).toEqual({ status: 'ACTIVE' });
    expect(m.evaluate(proposal({ ts: MIDNIGHT })).status).toBe('APPROVED');
    expect(m.onTradeOpened(MIDNIGHT)).toEqual([]);
    expect(m.onTradeOpened(MIDNIGHT + 1)).toEqual([]);
    expect(m.onTradeOpened(MIDNIGHT + 2)).toHaveLength(1);
  });

  it('a trade at 23:59:59.999 counts for that day, one at 00:00:00.000 for the next', () => {
    const m = manager({}, { max_daily_trades: 2 });
    m.onTradeOpened(MIDNIGHT - 1);
    expect(m.onTradeOpened(MIDNIGHT)).toEqual([]);
    expect(m.onTradeOpened(MIDNIGHT + 1)[0]).toMatchObject({ rule: 'DAILY_TRADE_LIMIT', until: MIDNIGHT + 86_400_000 });
  });

  it('DAILY_LOSS_LIMIT_PCT fires on marked-to-market equity, once, and the next UTC day starts afresh', () => {
    const m = manager({}, { daily_loss_limit_pct: 0.05 });
    expect(m.onEquity(T0 + HOUR, 10_000)).toEqual([]);
    expect(m.onEquity(T0 + 2 * HOUR, 9_600)).toEqual([]); // −4 %
    const [event] = m.onEquity(T0 + 3 * HOUR, 9_500); // −5 %, no trade closed
    expect(event).toMatchObject({
      rule: 'DAILY_LOSS_LIMIT_PCT',
      effect: 'PAUSED',
      until: MIDNIGHT,
      values: { equity: 9_500, dayStartEquity: 10_000, dayLoss: 500, realizedToday: 0, limitPct: 0.05 },
    });
    expect(event!.reason).toMatch(/lost 5\.00 % of the day's starting equity 10000\.00 \(limit 5\.00 %\)/);
    expect(m.onEquity(T0 + 4 * HOUR, 9_000)).toEqual([]);
    expect(m.tradingState(MIDNIGHT - 1).status).toBe('PAUSED');
    // The new day's baseline is its first equity: 9 000 → 8 600 is −4.4 %, under the limit.
    expect(m.onEquity(MIDNIGHT, 9_000)).toEqual([]);
    expect(m.onEquity(MIDNIGHT + HOUR, 8_600)).toEqual([]);
    expect(m.tradingState(MIDNIGHT + HOUR)).toEqual({ status: 'ACTIVE' });
    expect(m.onEquity(MIDNIGHT + 2 * HOUR, 8_550)[0]).toMatchObject({ rule: 'DAILY_LOSS_LIMIT_PCT', values: { dayStartEquity: 9_000 } });
  });

  it('DAILY_LOSS_LIMIT_ABS fires when a closed trade takes the day past the USDT limit', () => {
    const m = manager({}, { daily_loss_limit_pct: 0, daily_loss_limit_abs: 300 });
    m.onEquity(T0, 10_000);
    expect(m.onTradeClosed({ ts: T0 + HOUR, pnl: -200, equity: 9_800 })).toEqual([]);
    const events = m.onTradeClosed({ ts: T0 + 2 * HOUR, pnl: -150, equity: 9_650 });
    expect(events).toEqual([
      expect.objectContaining({ rule: 'DAILY_LOSS_LIMIT_ABS', effect: 'PAUSED', until: MIDNIGHT, values: expect.objectContaining({ dayLoss: 350, realizedToday: -350, limitAbs: 300 }) }),
    ]);
    expect(events[0]!.reason).toMatch(/lost 350\.00 USDT today \(limit 300\.00 USDT\)/);
  });

  it('CONSECUTIVE_LOSSES pauses for the cooldown, which ends exactly at trip time + cooldown', () => {
    const m = manager({}, { max_consecutive_losses: 3, loss_cooldown_hours: 2, daily_loss_limit_pct: 0 });
    const trip = T0 + 5 * HOUR;
    expect(m.onTradeClosed({ ts: T0 + HOUR, pnl: -10, equity: 9_990 })).toEqual([]);
    expect(m.onTradeClosed({ ts: T0 + 2 * HOUR, pnl: -10, equity: 9_980 })).toEqual([]);
    const [event] = m.onTradeClosed({ ts: trip, pnl: -10, equity: 9_970 });
    expect(event).toMatchObject({ rule: 'CONSECUTIVE_LOSSES', effect: 'PAUSED', until: trip + 2 * HOUR, values: { consecutiveLosses: 3, maxConsecutiveLosses: 3, cooldownHours: 2 } });
    expect(event!.reason).toMatch(/3 losing trades in a row \(limit 3\); cooling down for 2 h; paused until 2024-03-01 07:00:00Z/);
    expect(m.tradingState(trip + 2 * HOUR - 1).status).toBe('PAUSED');
    expect(m.evaluate(proposal({ ts: trip + 2 * HOUR - 1 })).events[0]).toMatchObject({ rule: 'CONSECUTIVE_LOSSES', effect: 'DENIED' });
    expect(m.tradingState(trip + 2 * HOUR)).toEqual({ status: 'ACTIVE' });
    expect(m.evaluate(proposal({ ts: trip + 2 * HOUR })).status).toBe('APPROVED');
    // The streak restarted at the trip: two more losses do not trip it again.
    expect(m.onTradeClosed({ ts: trip + 3 * HOUR, pnl: -10, equity: 9_960 })).toEqual([]);
    expect(m.onTradeClosed({ ts: trip + 4 * HOUR, pnl: -10, equity: 9_950 })).toEqual([]);
  });

  it('a winning trade breaks the losing streak', () => {
    const m = manager({}, { max_consecutive_losses: 3 });
    const pnls = [-10, -10, 5, -10, -10];
    pnls.forEach((pnl, i) => expect(m.onTradeClosed({ ts: T0 + i * HOUR, pnl, equity: 10_000 })).toEqual([]));
  });

  it('DRAWDOWN_SHUTDOWN halts at 20 % below the peak, for good', () => {
    const m = manager();
    m.onEquity(T0, 10_000);
    m.onEquity(T0 + HOUR, 12_000);
    expect(m.onEquity(T0 + 2 * HOUR, 9_601)).toEqual([]);
    const [event] = m.onEquity(T0 + 3 * HOUR, 9_600);
    expect(event).toMatchObject({ rule: 'DRAWDOWN_SHUTDOWN', effect: 'HALTED', values: { equity: 9_600, peak: 12_000, drawdown: 0.2, maxDrawdown: 0.2 } });
    expect(event!.reason).toMatch(/20\.00 % below its peak 12000\.00 \(limit 20\.00 %\): flatten and halt/);
    expect(m.isHalted).toBe(true);
    expect(m.onEquity(MIDNIGHT + 30 * 86_400_000, 50_000)).toEqual([]);
    expect(m.tradingState(MIDNIGHT + 30 * 86_400_000)).toEqual({ status: 'HALTED', since: T0 + 3 * HOUR });
    const denied = m.evaluate(proposal({ ts: MIDNIGHT + 30 * 86_400_000, equity: 50_000 }));
    expect(denied.status === 'DENIED' && denied.events[0]).toMatchObject({ rule: 'DRAWDOWN_SHUTDOWN', effect: 'DENIED' });
  });

  it('PROTECTIVE_LEVELS denies an ensemble stop on the wrong side, KELLY_NO_EDGE a losing bet, POSITION_SIZE an empty account', () => {
    const levels = manager({}, { stop_mode: 'ensemble' }).evaluate(proposal({ proposedStopLoss: 50_100 }));
    expect(levels.events[0]).toMatchObject({ rule: 'PROTECTIVE_LEVELS', effect: 'DENIED', values: { price: 50_000, stopLoss: 50_100 } });
    const kelly = manager({ method: 'kelly' }).evaluate(proposal({ winRate: 0.3, payoff: 1 }));
    expect(kelly).toMatchObject({ status: 'DENIED', events: [{ rule: 'KELLY_NO_EDGE', effect: 'DENIED', values: { winRate: 0.3, payoff: 1 } }] });
    expect(kelly.events[0]!.values.kelly).toBeCloseTo(-0.4, 12);
    expect(manager().evaluate(proposal({ equity: 0 })).events[0]).toMatchObject({ rule: 'POSITION_SIZE', effect: 'DENIED' });
  });

  it('time going backwards is a broken invariant', () => {
    const m = manager();
    m.onEquity(T0 + HOUR, 10_000);
    expect(() => m.onEquity(T0, 10_000)).toThrow(/time went backwards/);
  });
});

describe('RiskManager properties', () => {
  const anyProposal = fc.record({
    action: fc.constantFrom('long' as const, 'short' as const),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    price: fc.double({ min: 1, max: 200_000, noNaN: true }),
    equity: fc.double({ min: 1, max: 1e7, noNaN: true }),
    atr: fc.double({ min: 0.01, max: 5_000, noNaN: true }),
    proposedStopLoss: fc.option(fc.double({ min: 0.5, max: 400_000, noNaN: true }), { nil: undefined }),
    winRate: fc.double({ min: 0, max: 1, noNaN: true }),
    payoff: fc.option(fc.double({ min: 0.1, max: 10, noNaN: true }), { nil: undefined }),
  });
  const anySetup = fc.record({
    sizing: fc.record({
      method: fc.constantFrom('fixed_fraction' as const, 'kelly' as const, 'fixed_amount' as const),
      fraction: fc.double({ min: 0.001, max: 1, noNaN: true }),
      amount: fc.double({ min: 1, max: 1e6, noNaN: true }),
      kelly_cap: fc.double({ min: 0.01, max: 1, noNaN: true }),
    }),
    risk: fc.record({
      stop_mode: fc.constantFrom('pct' as const, 'atr' as const, 'ensemble' as const),
      stop_loss_pct: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
      leverage: fc.integer({ min: 1, max: 125 }),
      max_leverage: fc.integer({ min: 1, max: 125 }),
    }),
    brackets: fc.boolean(),
  });
  const brackets = new MarginBrackets(BTCUSDT_BRACKETS);
  const build = (setup: { sizing: Partial<SizingOptions>; risk: Partial<RiskLimits>; brackets: boolean }) =>
    manager(setup.sizing, setup.risk, setup.brackets ? (n) => brackets.maxLeverage(n) : undefined);

  it('an approval never exceeds leverage × equity, honours the bracket, and its stop is on the losing side', () => {
    fc.assert(
      fc.property(anySetup, anyProposal, (setup, p) => {
        const d = build(setup).evaluate(proposal(p));
        if (d.status === 'DENIED') return;
        const notional = d.quantity * p.price;
        expect(d.quantity).toBeGreaterThan(0);
        expect(notional).toBeLessThanOrEqual(d.leverage * p.equity * (1 + 1e-12));
        expect(d.leverage).toBeLessThanOrEqual(Math.min(setup.risk.leverage, setup.risk.max_leverage));
        if (setup.brackets) expect(d.leverage).toBeLessThanOrEqual(brackets.maxLeverage(notional));
        const side = p.action === 'long' ? 1 : -1;
        expect(side * (p.price - d.stopLoss)).toBeGreaterThan(0);
        expect(side * (d.takeProfit - p.price)).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('fixed_fraction: the loss at the stop is fraction × equity unless the size was capped', () => {
    fc.assert(
      fc.property(anySetup, anyProposal, (setup, p) => {
        const d = build({ ...setup, sizing: { ...setup.sizing, method: 'fixed_fraction' } }).evaluate(proposal(p));
        if (d.status === 'DENIED') return;
        const lossAtStop = d.quantity * Math.abs(p.price - d.stopLoss);
        const target = setup.sizing.fraction * p.equity;
        const sizeCapped = d.events.some((e) => e.values.sizedQuantity !== undefined);
        if (sizeCapped) expect(lossAtStop).toBeLessThan(target * (1 + 1e-9));
        else expect(Math.abs(lossAtStop - target)).toBeLessThanOrEqual(1e-9 * target);
      }),
      { numRuns: 500 },
    );
  });

  it('kelly approves only bets with a positive edge p − (1 − p)/b', () => {
    fc.assert(
      fc.property(anySetup, anyProposal, (setup, p) => {
        const d = build({ ...setup, sizing: { ...setup.sizing, method: 'kelly' } }).evaluate(proposal(p));
        if (d.status === 'DENIED') return;
        const payoff = p.payoff ?? Math.abs(d.takeProfit - p.price) / Math.abs(p.price - d.stopLoss);
        expect(p.winRate * payoff - (1 - p.winRate)).toBeGreaterThan(-1e-12);
      }),
      { numRuns: 500 },
    );
  });

  it('a halted manager approves nothing ever after, whatever happens next', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('equity' as const), equity: fc.double({ min: 1, max: 1e7, noNaN: true }) }),
      fc.record({ kind: fc.constant('closed' as const), pnl: fc.double({ min: -1e4, max: 1e6, noNaN: true }), equity: fc.double({ min: 1, max: 1e7, noNaN: true }) }),
      fc.record({ kind: fc.constant('opened' as const) }),
      fc.record({ kind: fc.constant('evaluate' as const), p: anyProposal }),
    );
    fc.assert(
      fc.property(anySetup, fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * 86_400_000 }), step), { maxLength: 40 }), (setup, steps) => {
        const m = build(setup);
        m.onEquity(T0, 10_000);
        expect(m.onEquity(T0 + 1, 7_000)[0]).toMatchObject({ effect: 'HALTED' });
        let ts = T0 + 1;
        for (const [gap, s] of steps) {
          ts += gap;
          if (s.kind === 'equity') expect(m.onEquity(ts, s.equity)).toEqual([]);
          else if (s.kind === 'closed') expect(m.onTradeClosed({ ts, pnl: s.pnl, equity: s.equity })).toEqual([]);
          else if (s.kind === 'opened') expect(m.onTradeOpened(ts)).toEqual([]);
          else expect(m.evaluate(proposal({ ...s.p, ts })).status).toBe('DENIED');
          expect(m.tradingState(ts).status).toBe('HALTED');
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('RiskManager.reconfigure (a live promotion)', () => {
  it('changes sizing and limits from the next check on and keeps the day, the streak, the peak and a halt', () => {
    const limits = { ...defaults.risk, daily_loss_limit_pct: 0, max_daily_trades: 5, max_drawdown_pct: 0.5 };
    const risk = new RiskManager({ sizing: { method: 'fixed_fraction', fraction: 0.01, amount: 100, kelly_cap: 0.25 }, risk: limits });
    const t = Date.UTC(2024, 0, 1, 1);
    expect(risk.onEquity(t, 10_000)).toEqual([]);
    risk.onTradeOpened(t + 1);
    risk.onTradeOpened(t + 2);
    expect(risk.onEquity(t + 3, 8_500)).toEqual([]); // 15 % below the peak, under the 50 % limit
    risk.reconfigure({ sizing: { method: 'fixed_fraction', fraction: 0.02, amount: 100, kelly_cap: 0.25 }, risk: { ...limits, max_daily_trades: 3, max_drawdown_pct: 0.1 } });
    // The third trade of the day reaches the new limit of 3 (the two before still count).
    expect(risk.onTradeOpened(t + 4).map((e) => e.rule)).toEqual(['DAILY_TRADE_LIMIT']);
    // The peak carried over: 15 % below it is past the new 10 % limit.
    expect(risk.onEquity(t + 5, 8_500).map((e) => e.rule)).toEqual(['DRAWDOWN_SHUTDOWN']);
    risk.reconfigure({ sizing: { method: 'fixed_fraction', fraction: 0.02, amount: 100, kelly_cap: 0.25 }, risk: { ...limits, max_drawdown_pct: 0.9 } });
    expect(risk.isHalted).toBe(true); // a promotion never lifts a halt
  });
});

