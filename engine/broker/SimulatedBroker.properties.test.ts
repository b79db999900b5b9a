import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerBar } from './BrokerBar.ts';
import type { BrokerEvent, OrderRequest } from './Order.ts';
import { harness, MINUTE, T0 } from './test/brokerHarness.ts';

// Properties over random candle walks and random order streams: the accounting identities after every bar, reduce-only
// orders that never grow or flip a position, fills inside their bar's range up to the slippage term, and determinism.

interface Step {
  ret: number;
  up: number;
  down: number;
  volume: number;
  /** Mark candle offset from the trade candle, or null for "no mark candles". */
  mark: number | null;
}

type Command =
  | { kind: 'submit'; type: OrderRequest['type']; side: 1 | -1; quantity: number; offset: number; reduceOnly: boolean; closePosition: boolean }
  | { kind: 'bracket'; side: 1 | -1; quantity: number; stop: number; takeProfit: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'leverage'; leverage: number }
  | { kind: 'funding'; rate: number };

interface Scenario {
  steps: Step[];
  commands: Command[][];
  slippageBps: number;
  impactBps: number;
  participationCap: number;
  latencyBars: number;
}

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      type: fc.constantFrom<OrderRequest['type']>('MARKET', 'LIMIT', 'STOP_MARKET', 'TAKE_PROFIT_MARKET'),
      side: fc.constantFrom<1 | -1>(1, -1),
      quantity: fc.double({ min: 0.001, max: 60, noNaN: true }),
      offset: fc.double({ min: -0.04, max: 0.04, noNaN: true }),
      reduceOnly: fc.boolean(),
      closePosition: fc.boolean(),
    }),
  },
  {
    // What the coordinator does: an entry with a closePosition stop-loss and take-profit around it.
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('bracket' as const),
      side: fc.constantFrom<1 | -1>(1, -1),
      quantity: fc.double({ min: 0.001, max: 60, noNaN: true }),
      stop: fc.double({ min: 0.001, max: 0.04, noNaN: true }),
      takeProfit: fc.double({ min: 0.001, max: 0.04, noNaN: true }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leverage' as const), leverage: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('funding' as const), rate: fc.double({ min: -0.01, max: 0.01, noNaN: true }) }) },
);

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    steps: fc.array(
      fc.record({
        ret: fc.double({ min: -0.03, max: 0.03, noNaN: true }),
        up: fc.double({ min: 0, max: 0.01, noNaN: true }),
        down: fc.double({ min: 0, max: 0.01, noNaN: true }),
        volume: fc.oneof(fc.constant(0), fc.constant(0.5), fc.double({ min: 1, max: 2_000, noNaN: true })),
        mark: fc.option(fc.double({ min: -0.003, max: 0.003, noNaN: true })),
      }),
      { minLength: 2, maxLength: 60 },
    ),
    commands: fc.array(fc.array(command, { maxLength: 4 }), { maxLength: 60 }),
    slippageBps: fc.double({ min: 0, max: 10, noNaN: true }),
    impactBps: fc.double({ min: 0, max: 20, noNaN: true }),
    participationCap: fc.constantFrom(0.05, 0.1, 0.5, 1),
    latencyBars: fc.integer({ min: 1, max: 3 }),
  });

function barsOf(steps: Step[]): BrokerBar[] {
  let price = 100;
  return steps.map((step, i) => {
    const open = price;
    price = Math.max(1, price * (1 + step.ret));
    const high = Math.max(open, price) * (1 + step.up);
    const low = Math.min(open, price) * (1 - step.down);
    const openTime = T0 + i * MINUTE;
    const bar: BrokerBar = { openTime, closeTime: openTime + MINUTE, open, high, low, close: price, volume: step.volume };
    if (step.mark !== null) {
      bar.markHigh = high * (1 + step.mark);
      bar.markLow = low * (1 + step.mark);
      bar.markClose = price * (1 + step.mark);
    }
    return bar;
  });
}

interface Outcome {
  events: BrokerEvent[];
}

/** Replay a scenario and check the per-bar and per-fill invariants as it goes. */
async function replay(s: Scenario): Promise<Outcome> {
  const h = harness({ slippageBps: s.slippageBps, impactBps: s.impactBps, participationCap: s.participationCap, latencyBars: s.latencyBars, leverage: 10 });
  const bars = barsOf(s.steps);
  const maxSlip = (s.slippageBps + s.impactBps * Math.sqrt(s.participationCap)) / 10_000;
  let current: BrokerBar | undefined;
  let held = 0;
  let signedFills = 0;
  let flows = 0;
  h.broker.onEvent((event) => {
    if (event.type === 'FundingSettled') flows += event.payment;
    if (event.type !== 'OrderFilled' && event.type !== 'PositionLiquidated') return;
    const { fill } = event;
    const after = h.broker.snapshot().quantity;
    signedFills += fill.side * fill.quantity;
    flows += fill.realizedPnl - fill.fee;
    expect(after).toBeCloseTo(signedFills, 9);
    if (event.type === 'OrderFilled') {
      if (event.order.reduceOnly || event.order.closePosition) {
        expect(Math.abs(after)).toBeLessThanOrEqual(Math.abs(held) + 1e-9);
        expect(after * held).toBeGreaterThanOrEqual(0);
      }
      expect(fill.price).toBeGreaterThanOrEqual(current!.low * (1 - maxSlip) * (1 - 1e-12));
      expect(fill.price).toBeLessThanOrEqual(current!.high * (1 + maxSlip) * (1 + 1e-12));
    } else {
      expect(fill.price).toBe(event.liquidationPrice);
      expect(after).toBe(0);
    }
    held = after;
  });

  const ids: string[] = [];
  for (let i = 0; i < bars.length; i++) {
    current = bars[i]!;
    h.bar(current);
    const snap = h.broker.snapshot();
    const scale = 1e-9 * Math.max(1, Math.abs(snap.wallet), Math.abs(snap.realizedPnl), snap.fees);
    expect(Math.abs(snap.wallet - (10_000 + snap.realizedPnl - snap.fees + snap.funding))).toBeLessThanOrEqual(scale);
    expect(Math.abs(snap.wallet - 10_000 - flows)).toBeLessThanOrEqual(scale);
    expect(snap.unrealizedPnl).toBeCloseTo(snap.quantity * (snap.markPrice - snap.entryPrice), 9);
    expect(snap.equity).toBe(snap.wallet + snap.unrealizedPnl);
    expect(snap.markPrice).toBe(current.markClose ?? current.close);

    for (const [k, c] of (s.commands[i] ?? []).entries()) {
      if (c.kind === 'submit') {
        const id = `o${i}-${k}`;
        const conditional = c.type === 'STOP_MARKET' || c.type === 'TAKE_PROFIT_MARKET';
        const level = current.close * (1 + c.offset);
        const result = await h.submit({
          clientOrderId: id,
          side: c.side,
          type: c.type,
          quantity: c.quantity,
          reduceOnly: c.reduceOnly,
          ...(c.type === 'LIMIT' ? { price: level } : {}),
          ...(conditional ? { triggerPrice: level, closePosition: c.closePosition } : {}),
        });
        if (result.status === 'ACCEPTED') ids.push(id);
      } else if (c.kind === 'bracket') {
        const exit = { side: -c.side as 1 | -1, quantity: 0, reduceOnly: true, closePosition: true };
        for (const request of [
          { clientOrderId: `e${i}-${k}`, side: c.side, type: 'MARKET' as const, quantity: c.quantity, reduceOnly: false },
          { ...exit, clientOrderId: `s${i}-${k}`, type: 'STOP_MARKET' as const, triggerPrice: current.close * (1 - c.side * c.stop) },
          { ...exit, clientOrderId: `t${i}-${k}`, type: 'TAKE_PROFIT_MARKET' as const, triggerPrice: current.close * (1 + c.side * c.takeProfit) },
        ]) {
          if ((await h.submit(request)).status === 'ACCEPTED') ids.push(request.clientOrderId);
        }
      } else if (c.kind === 'cancel') {
        if (ids.length > 0) await h.broker.cancel(ids[c.pick % ids.length]!);
      } else if (c.kind === 'leverage') {
        await h.broker.setLeverage(c.leverage).catch(() => undefined);
      } else {
        h.broker.onFunding(current.closeTime, c.rate, current.markClose ?? current.close);
      }
    }
  }
  return { events: h.events };
}

describe('SimulatedBroker properties', () => {
  it('identities hold after every bar, reduce-only never flips, fills stay in the bar range up to slippage', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await replay(s);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same inputs give the same event sequence', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const first = await replay(s);
        const second = await replay(s);
        expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
      }),
      { numRuns: 60 },
    );
  });

  it('the random streams do exercise fills, stops, expiries and liquidations', async () => {
    const seen = new Set<string>();
    for (const s of fc.sample(scenario, { numRuns: 200, seed: 7 })) {
      const { events } = await replay(s);
      for (const e of events) seen.add(e.type === 'OrderFilled' ? `fill:${e.fill.reason}` : e.type === 'OrderUpdated' ? `order:${e.order.status}` : e.type);
    }
    expect([...seen]).toEqual(expect.arrayContaining(['fill:ORDER', 'fill:STOP_LOSS', 'fill:TAKE_PROFIT', 'order:EXPIRED', 'order:CANCELED', 'PositionLiquidated', 'FundingSettled']));
  });
});
