import { beforeAll, describe, expect, it } from 'vitest';
import { formatTime, MemoryJournal, type JournalRecord } from '../../engine/index.ts';
import type { ReplayInputs } from './loadReplayData.ts';
import { replayInputs } from './replayInputs.ts';
import { syntheticInputs, testConfig } from './test/syntheticInputs.ts';

const HOUR = 3_600_000;
type Of<T extends JournalRecord['type']> = Extract<JournalRecord, { type: T }>;
const isEntry = (r: Of<'order'>) => r.order.clientOrderId.endsWith('-E');
const net = (t: Of<'trade'>) => t.pnl - t.fees + t.funding;

async function replay(inputs: ReplayInputs, config: ReturnType<typeof testConfig>): Promise<MemoryJournal> {
  const journal = new MemoryJournal();
  await replayInputs(inputs, config, journal);
  return journal;
}

describe('drawdown emergency shutdown in a replay', () => {
  const MAX_DRAWDOWN = 0.08;
  // High leverage and big positions on a synthetic market: equity falls 8 % below its peak within days.
  const config = testConfig({
    ensemble: { threshold: 0.3 },
    sizing: { fraction: 0.05 },
    risk: { leverage: 20, stop_loss_pct: 0.005, take_profit_pct: 0.005, max_drawdown_pct: MAX_DRAWDOWN, daily_loss_limit_pct: 0, max_consecutive_losses: 1000 },
  });
  let inputs: ReplayInputs;
  let journal: MemoryJournal;
  let halt: Of<'risk'>;
  beforeAll(async () => {
    inputs = syntheticInputs({ seed: 22, days: 5 });
    journal = await replay(inputs, config);
    halt = journal.ofType('risk').find((r) => r.event.effect === 'HALTED')!;
  });

  it('journals the rule, its effect and the numbers, once', () => {
    expect(halt).toBeDefined();
    expect(journal.ofType('risk').filter((r) => r.event.effect === 'HALTED')).toHaveLength(1);
    const { event } = halt;
    expect(event).toMatchObject({ ts: halt.ts, rule: 'DRAWDOWN_SHUTDOWN', effect: 'HALTED' });
    const { equity, peak, drawdown, maxDrawdown } = event.values as Record<string, number>;
    expect(maxDrawdown).toBe(MAX_DRAWDOWN);
    expect(drawdown).toBeCloseTo((peak! - equity!) / peak!, 12);
    expect(drawdown).toBeGreaterThanOrEqual(MAX_DRAWDOWN);
    expect(event.reason).toContain(`equity ${equity!.toFixed(2)}`);
    expect(event.reason).toContain(`peak ${peak!.toFixed(2)}`);
    // The peak is at least every equity the journal saw before the halt (the risk stage also sees every base bar).
    const before = journal.ofType('equity').filter((r) => r.ts <= halt.ts);
    expect(peak).toBeGreaterThanOrEqual(Math.max(config.replay.initial_balance, ...before.map((r) => r.equity)));
  });

  it("the halting equity is the open position marked at that bar's close, rebooked from the fills", () => {
    const fills = journal.ofType('fill').filter((r) => r.ts <= halt.ts);
    const wallet = config.replay.initial_balance + fills.reduce((sum, r) => sum + r.fill.realizedPnl - r.fill.fee, 0) + journal.ofType('funding').filter((r) => r.ts <= halt.ts).reduce((s, r) => s + r.payment, 0);
    const entry = fills[fills.length - 1]!.fill; // flat before it, so the open position is this one fill
    expect(entry.clientOrderId).toMatch(/-E$/);
    const bar = inputs.base.openTime.indexOf(halt.ts - 60_000);
    const marked = wallet + entry.side * entry.quantity * (inputs.base.close[bar]! - entry.price);
    expect(halt.event.values['equity']).toBeCloseTo(marked, 6);
  });

  it('flattens the open position and places no entry afterwards; every later decision says HALTED', () => {
    const after = journal.records.filter((r) => r.ts > halt.ts);
    const flatten = journal.ofType('order').filter((r) => r.order.clientOrderId.endsWith('-X'));
    expect(flatten).toHaveLength(1);
    expect(flatten[0]).toMatchObject({ ts: halt.ts, order: { type: 'MARKET', reduceOnly: true, status: 'NEW' } });
    const flattened = journal.ofType('fill').find((r) => r.fill.clientOrderId === flatten[0]!.order.clientOrderId)!;
    expect(flattened.ts).toBeGreaterThan(halt.ts);

    expect(after.filter((r): r is Of<'order'> => r.type === 'order' && isEntry(r))).toEqual([]);
    const decisions = after.filter((r): r is Of<'heartbeat'> => r.type === 'heartbeat');
    expect(decisions.length).toBeGreaterThan(1000);
    expect(new Set(decisions.map((d) => d.outcome))).toEqual(new Set(['HALTED']));
    expect(decisions.filter((d) => d.votes.length > 0)).toEqual([]); // the models are not even asked
    expect(new Set(journal.records.filter((r) => (r.type === 'heartbeat' || r.type === 'equity') && r.ts > flattened.ts).map((r) => (r as Of<'heartbeat'>).quantity))).toEqual(new Set([0]));
  });
});

describe('consecutive-loss circuit breaker in a replay', () => {
  const MAX_LOSSES = 2;
  const COOLDOWN_HOURS = 6;
  // Stops much tighter than the take-profits: most trades lose, so streaks of two come often.
  const config = testConfig({
    ensemble: { threshold: 0.3 },
    sizing: { fraction: 0.005 },
    risk: { stop_loss_pct: 0.002, take_profit_pct: 0.006, max_consecutive_losses: MAX_LOSSES, loss_cooldown_hours: COOLDOWN_HOURS, max_drawdown_pct: 0, daily_loss_limit_pct: 0 },
  });
  let journal: MemoryJournal;
  let breaks: Of<'risk'>[];
  beforeAll(async () => {
    journal = await replay(syntheticInputs({ seed: 21, days: 5 }), config);
    breaks = journal.ofType('risk').filter((r) => r.event.rule === 'CONSECUTIVE_LOSSES');
  });

  it('fires exactly when a streak of losing trades (net of fees and funding) reaches the limit', () => {
    const expected: number[] = [];
    let streak = 0;
    for (const trade of journal.ofType('trade')) {
      streak = net(trade) < 0 ? streak + 1 : 0;
      if (streak >= MAX_LOSSES) {
        expected.push(trade.ts);
        streak = 0;
      }
    }
    expect(expected.length).toBeGreaterThan(2);
    expect(breaks.map((r) => r.ts)).toEqual(expected);
  });

  it('journals why, with the numbers and when trading resumes', () => {
    for (const { ts, event } of breaks) {
      expect(event).toMatchObject({
        ts,
        effect: 'PAUSED',
        until: ts + COOLDOWN_HOURS * HOUR,
        values: { consecutiveLosses: MAX_LOSSES, maxConsecutiveLosses: MAX_LOSSES, cooldownHours: COOLDOWN_HOURS, until: ts + COOLDOWN_HOURS * HOUR },
      });
      expect(event.reason).toMatch(/^2 losing trades in a row \(limit 2\); cooling down for 6 h; paused until \d{4}-/);
    }
  });

  it('places no entry during a cooldown, denies the decisions that would have traded, and trades again after it', () => {
    let denied = 0;
    let resumed = 0;
    for (const { ts, event } of breaks) {
      const until = event.until!;
      const inPause = (r: JournalRecord) => r.ts >= ts && r.ts < until;
      expect(journal.ofType('order').filter((r) => isEntry(r) && inPause(r))).toEqual([]);
      for (const d of journal.ofType('heartbeat').filter(inPause)) {
        if (d.outcome === 'RISK_DENIED') {
          expect(d.detail).toBe(`CONSECUTIVE_LOSSES: paused until ${formatTime(until)}`);
          denied++;
        } else expect(['HOLD', 'BELOW_THRESHOLD', 'IN_POSITION']).toContain(d.outcome);
      }
      if (journal.ofType('order').some((r) => isEntry(r) && r.ts >= until)) resumed++;
    }
    expect(denied).toBeGreaterThan(10);
    expect(resumed).toBeGreaterThan(1);
  });
});
