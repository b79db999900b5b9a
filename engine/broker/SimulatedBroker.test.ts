import { describe, expect, it } from 'vitest';
import { Instrument, BTCUSDT_PERP } from '../Instrument.ts';
import { XylenError } from '../XylenError.ts';
import { candles, harness, MINUTE, T0 } from './test/brokerHarness.ts';

// Candle-table scenarios. Expected prices are worked by hand from the table and the documented rules
// (slippage 2 bps unless said otherwise; the impact term is switched off where it would obscure the arithmetic).
const NO_IMPACT = { impactBps: 0 };

describe('market orders', () => {
  it('fill at the next bar open plus slippage for a buy, minus for a sell, with the taker fee', async () => {
    const h = harness(NO_IMPACT);
    const [b0, b1, b2, b3] = candles(`
      minute open  high  low   close volume
      0      100   101   99    100   1000
      1      100.5 102   100   101   1000
      2      101   101.5 100.2 101.2 1000
      3      101.2 103   101   102   1000
    `);
    h.bar(b0!);
    expect((await h.submit({ clientOrderId: 'buy', side: 1, type: 'MARKET', quantity: 1 })).status).toBe('ACCEPTED');
    h.bar(b1!);
    h.bar(b2!);
    await h.submit({ clientOrderId: 'sell', side: -1, type: 'MARKET', quantity: 1 });
    h.bar(b3!);
    const [buy, sell] = h.fills();
    expect(buy!.price).toBeCloseTo(100.5 * 1.0002, 9);
    expect(buy!.fee).toBeCloseTo(100.5 * 1.0002 * 0.0005, 9);
    expect(buy!.liquidity).toBe('taker');
    expect(buy!.ts).toBe(b1!.closeTime);
    expect(sell!.price).toBeCloseTo(101.2 * 0.9998, 9);
    expect(sell!.realizedPnl).toBeCloseTo(101.2 * 0.9998 - 100.5 * 1.0002, 9);
    const snap = h.broker.snapshot();
    expect(snap.quantity).toBe(0);
    expect(snap.wallet).toBeCloseTo(10_000 + sell!.realizedPnl - buy!.fee - sell!.fee, 9);
  });

  it('wait latencyBars bars before their first fill', async () => {
    const h = harness({ ...NO_IMPACT, latencyBars: 2 });
    const bars = candles(`
      0 100 101 99 100 1000
      1 110 111 109 110 1000
      2 120 121 119 120 1000
    `);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'buy', side: 1, type: 'MARKET', quantity: 1 });
    h.bar(bars[1]!);
    expect(h.fills()).toEqual([]);
    h.bar(bars[2]!);
    expect(h.fills()[0]!.price).toBeCloseTo(120 * 1.0002, 9);
  });

  it('take at most participationCap of a bar volume, pay √participation impact, and expire after maxFillBars', async () => {
    const h = harness({ participationCap: 0.1, maxFillBars: 2, impactBps: 10 });
    const bars = candles(`
      0 100 101 99 100 10
      1 100 101 99 100 10
      2 102 103 101 102 20
      3 104 105 103 104 10
    `);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'big', side: 1, type: 'MARKET', quantity: 2.5 });
    h.bar(bars[1]!);
    h.bar(bars[2]!);
    h.bar(bars[3]!);
    const fills = h.fills();
    // Bar 1: 10 % of 10 = 1 at 100 × (1 + (2 + 10·√(1/10)) bps). Bar 2: 10 % of 20 = 2, only 1.5 left, √(1.5/20).
    expect(fills.map((f) => f.quantity)).toEqual([1, 1.5]);
    expect(fills[0]!.price).toBeCloseTo(100 * (1 + (2 + 10 * Math.sqrt(0.1)) / 10_000), 9);
    expect(fills[1]!.price).toBeCloseTo(102 * (1 + (2 + 10 * Math.sqrt(1.5 / 20)) / 10_000), 9);
    expect(h.broker.snapshot().quantity).toBeCloseTo(2.5, 12);

    const g = harness({ participationCap: 0.1, maxFillBars: 2 });
    g.bar(bars[0]!);
    await g.submit({ clientOrderId: 'big', side: 1, type: 'MARKET', quantity: 2.5 });
    g.bar(bars[1]!);
    g.bar({ ...bars[2]!, volume: 5 }); // 0.5 fills; 1.0 left after 2 bars: expired
    g.bar(bars[3]!);
    expect(g.fills().map((f) => f.quantity)).toEqual([1, 0.5]);
    const last = g.events.at(-1)!;
    expect(last.type === 'OrderUpdated' && last.order.status).toBe('EXPIRED');
    expect(g.broker.snapshot().quantity).toBeCloseTo(1.5, 12);
  });
});

describe('participation cap on a triggered stop', () => {
  it('fills what the bar allows at the trigger and the rest at the next open, as a market order', async () => {
    const h = harness({ impactBps: 0, participationCap: 0.1 });
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 99.5 100 1000   # entry of 2 at 100.02
      2 99  99.5  94   95  10     # stop at 95 triggers; 10 % of 10 = 1 fills
      3 94  95    93   94  1000   # the other 1 at the open
    `);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'entry', side: 1, type: 'MARKET', quantity: 2 });
    await h.submit({ clientOrderId: 'sl', side: -1, type: 'STOP_MARKET', triggerPrice: 95, reduceOnly: true, closePosition: true });
    for (const bar of bars.slice(1)) h.bar(bar);
    const [, first, second] = h.fills();
    expect(first).toMatchObject({ clientOrderId: 'sl', quantity: 1 });
    expect(first!.price).toBeCloseTo(95 * 0.9998, 9);
    expect(second).toMatchObject({ clientOrderId: 'sl', quantity: 1 });
    expect(second!.price).toBeCloseTo(94 * 0.9998, 9);
    const done = h.events.findLast((e) => e.type === 'OrderFilled');
    expect(done?.type === 'OrderFilled' && done.order.status).toBe('FILLED');
    expect(h.broker.snapshot().quantity).toBe(0);
  });
});

describe('limit orders', () => {
  const table = candles(`
    minute open high  low  close volume
    0      100  101   99   100   1000
    1      100  101   98.5 99    1000   # does not reach 98
    2      99   99.5  97.5 98    1000   # trades through 98
  `);

  it('rest and fill at their price with the maker fee once a bar trades through', async () => {
    const h = harness(NO_IMPACT);
    h.bar(table[0]!);
    await h.submit({ clientOrderId: 'bid', side: 1, type: 'LIMIT', quantity: 1, price: 98 });
    h.bar(table[1]!);
    expect(h.fills()).toEqual([]);
    h.bar(table[2]!);
    const [fill] = h.fills();
    expect(fill).toMatchObject({ price: 98, liquidity: 'maker', quantity: 1 });
    expect(fill!.fee).toBeCloseTo(98 * 0.0002, 12);
  });

  it('fill on arrival at the open (plus slippage, never beyond the limit) as a taker when marketable', async () => {
    const h = harness(NO_IMPACT);
    h.bar(table[0]!);
    await h.submit({ clientOrderId: 'wide', side: 1, type: 'LIMIT', quantity: 1, price: 101 });
    await h.submit({ clientOrderId: 'tight', side: 1, type: 'LIMIT', quantity: 1, price: 100.01 });
    await h.submit({ clientOrderId: 'ask', side: -1, type: 'LIMIT', quantity: 1, price: 99 });
    h.bar(table[1]!);
    const byId = Object.fromEntries(h.fills().map((f) => [f.clientOrderId, f]));
    expect(byId.wide!.price).toBeCloseTo(100 * 1.0002, 9); // 100.02 < 101
    expect(byId.tight!.price).toBe(100.01); // 100.02 would be beyond the limit
    expect(byId.ask!.price).toBeCloseTo(100 * 0.9998, 9); // sells at the open, above its 99 limit
    expect(Object.values(byId).every((f) => f.liquidity === 'taker')).toBe(true);
  });

  it('a resting limit fills at the open, still as a maker, when a later bar opens beyond it', async () => {
    const h = harness(NO_IMPACT);
    const bars = candles(`
      0 100 101 99   100 1000
      1 100 101 98.5 99  1000
      2 96  97  95   96  1000   # gaps below the 98 bid
    `);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'bid', side: 1, type: 'LIMIT', quantity: 1, price: 98 });
    h.bar(bars[1]!);
    h.bar(bars[2]!);
    expect(h.fills()[0]).toMatchObject({ price: 96, liquidity: 'maker' });
  });
});

describe('stops and take-profits', () => {
  async function longWithExits(h: ReturnType<typeof harness>, stop: number, takeProfit: number): Promise<void> {
    await h.submit({ clientOrderId: 'entry', side: 1, type: 'MARKET', quantity: 1 });
    await h.submit({ clientOrderId: 'sl', side: -1, type: 'STOP_MARKET', triggerPrice: stop, reduceOnly: true, closePosition: true });
    await h.submit({ clientOrderId: 'tp', side: -1, type: 'TAKE_PROFIT_MARKET', triggerPrice: takeProfit, reduceOnly: true, closePosition: true });
  }

  it('a stop fills at its trigger less slippage; a stop that gaps through fills at the open', async () => {
    const bars = candles(`
      minute open high  low  close volume
      0      100  100.5 99.5 100   1000
      1      100  100.5 99.5 100   1000   # entry at 100.02
      2      99   99.5  94   95    1000   # trades through the 95 stop
    `);
    const h = harness(NO_IMPACT);
    h.bar(bars[0]!);
    await longWithExits(h, 95, 110);
    h.bar(bars[1]!);
    h.bar(bars[2]!);
    const stop = h.fills()[1]!;
    expect(stop).toMatchObject({ clientOrderId: 'sl', reason: 'STOP_LOSS', liquidity: 'taker', side: -1, quantity: 1 });
    expect(stop.price).toBeCloseTo(95 * 0.9998, 9);

    const g = harness(NO_IMPACT);
    g.bar(bars[0]!);
    await longWithExits(g, 95, 110);
    g.bar(bars[1]!);
    g.bar({ ...bars[2]!, open: 93, high: 94, low: 92, close: 93 }); // opens below the stop
    expect(g.fills()[1]!.price).toBeCloseTo(93 * 0.9998, 9);
  });

  it('a take-profit fills at its trigger less slippage and the stop then expires', async () => {
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 99.5 100 1000
      2 101 111   100  110 1000
    `);
    const h = harness(NO_IMPACT);
    h.bar(bars[0]!);
    await longWithExits(h, 95, 110);
    h.bar(bars[1]!);
    h.bar(bars[2]!);
    expect(h.fills()[1]).toMatchObject({ clientOrderId: 'tp', reason: 'TAKE_PROFIT' });
    expect(h.fills()[1]!.price).toBeCloseTo(110 * 0.9998, 9);
    const expired = h.events.filter((e) => e.type === 'OrderUpdated' && e.order.status === 'EXPIRED').map((e) => e.type === 'OrderUpdated' && e.order.clientOrderId);
    expect(expired).toEqual(['sl']);
    expect(h.broker.snapshot().openOrders).toEqual([]);
  });

  it('when stop-loss and take-profit are both touched in one bar, the stop-loss fills and the take-profit expires', async () => {
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 99.5 100 1000
      2 100 111   94   100 1000   # touches 110 and 95
    `);
    const h = harness(NO_IMPACT);
    h.bar(bars[0]!);
    await longWithExits(h, 95, 110);
    h.bar(bars[1]!);
    h.bar(bars[2]!);
    expect(h.fills().map((f) => f.clientOrderId)).toEqual(['entry', 'sl']);
    const tp = h.events.findLast((e) => e.type === 'OrderUpdated' && e.order.clientOrderId === 'tp');
    expect(tp?.type === 'OrderUpdated' && tp.order.status).toBe('EXPIRED');
  });

  it('an entry filled at the open whose own bar touches its stop is stopped out in that bar', async () => {
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 94.5 96  1000   # entry at the open, then down through 95
    `);
    const h = harness(NO_IMPACT);
    h.bar(bars[0]!);
    await longWithExits(h, 95, 110);
    h.bar(bars[1]!);
    const [entry, stop] = h.fills();
    expect(entry!.price).toBeCloseTo(100.02, 9);
    expect(stop!.price).toBeCloseTo(95 * 0.9998, 9);
    expect(stop!.realizedPnl).toBeCloseTo(95 * 0.9998 - 100.02, 9);
    expect(h.broker.snapshot().quantity).toBe(0);
  });

  it('a limit entry and its stop touched in the same bar both fill, entry first', async () => {
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 94   95  1000
    `);
    const h = harness(NO_IMPACT);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'sl', side: -1, type: 'STOP_MARKET', triggerPrice: 95, reduceOnly: true, closePosition: true });
    await h.submit({ clientOrderId: 'entry', side: 1, type: 'LIMIT', quantity: 1, price: 98 });
    h.bar(bars[1]!);
    const [entry, stop] = h.fills();
    expect(entry).toMatchObject({ clientOrderId: 'entry', price: 98 });
    expect(stop!.clientOrderId).toBe('sl');
    expect(stop!.price).toBeCloseTo(95 * 0.9998, 9);
  });

  it('a short stop-loss buys above its trigger; a reduce-only stop with no position expires when triggered', async () => {
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 99   100 1000   # reaches the orphan sell stop while short
      2 100 106   99.5 105 1000
    `);
    const h = harness(NO_IMPACT);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'short', side: -1, type: 'MARKET', quantity: 2 });
    await h.submit({ clientOrderId: 'sl', side: 1, type: 'STOP_MARKET', triggerPrice: 105, reduceOnly: true, closePosition: true });
    await h.submit({ clientOrderId: 'orphan', side: -1, type: 'STOP_MARKET', triggerPrice: 99.2, quantity: 1, reduceOnly: true });
    h.bar(bars[1]!);
    h.bar(bars[2]!);
    expect(h.fills().map((f) => [f.clientOrderId, f.quantity])).toEqual([
      ['short', 2],
      ['sl', 2],
    ]);
    expect(h.fills()[1]!.price).toBeCloseTo(105 * 1.0002, 9);
    // The sell stop of a short is a reduce-only order that would increase it: it expires when triggered in bar 1.
    const orphan = h.events.findLast((e) => e.type === 'OrderUpdated' && e.order.clientOrderId === 'orphan');
    expect(orphan?.type === 'OrderUpdated' && orphan.order).toMatchObject({ status: 'EXPIRED', updatedAt: bars[1]!.closeTime });
  });
});

describe('reduce-only orders', () => {
  it('are clipped to the position and never flip it', async () => {
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 99.5 100 1000
      2 100 100.5 99.5 100 1000
    `);
    const h = harness(NO_IMPACT);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'long', side: 1, type: 'MARKET', quantity: 1 });
    h.bar(bars[1]!);
    await h.submit({ clientOrderId: 'close', side: -1, type: 'MARKET', quantity: 3, reduceOnly: true });
    h.bar(bars[2]!);
    expect(h.fills()[1]!.quantity).toBe(1);
    expect(h.broker.snapshot().quantity).toBe(0);
  });
});

describe('funding', () => {
  it('longs pay and shorts receive when the rate is positive, out of the wallet and the isolated margin', async () => {
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 99.5 100 1000
    `);
    for (const side of [1, -1] as const) {
      const h = harness({ slippageBps: 0, impactBps: 0, leverage: 10 });
      h.bar(bars[0]!);
      await h.submit({ clientOrderId: 'open', side, type: 'MARKET', quantity: 2 });
      h.bar(bars[1]!);
      const before = h.broker.snapshot();
      h.broker.onFunding(T0 + 480 * MINUTE, 0.0001, 100);
      const after = h.broker.snapshot();
      const event = h.events.at(-1)!;
      // 2 × 100 × 0.0001 = 0.02 paid by the long, received by the short.
      expect(event).toEqual({ type: 'FundingSettled', ts: T0 + 480 * MINUTE, rate: 0.0001, markPrice: 100, payment: -side * 0.02 });
      expect(after.wallet - before.wallet).toBeCloseTo(-side * 0.02, 12);
      expect(after.funding).toBeCloseTo(-side * 0.02, 12);
      expect(after.isolatedMargin - before.isolatedMargin).toBeCloseTo(-side * 0.02, 12);
    }
  });

  it('settles nothing and says nothing while flat', () => {
    const h = harness();
    h.broker.onFunding(T0, 0.001, 100);
    expect(h.events).toEqual([]);
    expect(h.broker.snapshot().wallet).toBe(10_000);
  });
});

describe('liquidation', () => {
  const btc = { instrument: new Instrument(BTCUSDT_PERP), slippageBps: 0, impactBps: 0, takerFee: 0.0005, leverage: 10 };
  // Long 1 BTC at 10,000, 10×: isolated margin 1,000. Tier 1 (MMR 0.4 %, cum 0):
  // LP = (WB + cum − Q·EP) / (Q·MMR − Q) = (1000 − 10000) / (0.004 − 1) = 9036.14457...
  const LP = (1_000 - 10_000) / (0.004 - 1);
  const opening = candles(`
    0 10000 10010 9990 10000 1000
    1 10000 10010 9990 10000 1000
  `);

  async function openLong(h: ReturnType<typeof harness>): Promise<void> {
    h.bar(opening[0]!);
    await h.submit({ clientOrderId: 'long', side: 1, type: 'MARKET', quantity: 1 });
    h.bar(opening[1]!);
    expect(h.broker.snapshot().liquidationPrice).toBeCloseTo(LP, 6);
  }

  it('liquidates at the liquidation price when the mark crosses it, and the trader loses the isolated margin', async () => {
    const h = harness(btc);
    await openLong(h);
    const walletBefore = h.broker.snapshot().wallet;
    h.bar(candles('2 9500 9600 9000 9100 1000')[0]!);
    const event = h.events.at(-1)!;
    expect(event.type).toBe('PositionLiquidated');
    if (event.type !== 'PositionLiquidated') return;
    expect(event.liquidationPrice).toBeCloseTo(LP, 6);
    expect(event.fill.price).toBeCloseTo(LP, 6);
    expect(event.fill.realizedPnl).toBeCloseTo(LP - 10_000, 6);
    // The clearance keeps the maintenance margin: 0.4 % of LP.
    expect(event.fill.fee).toBeCloseTo(0.004 * LP, 6);
    const after = h.broker.snapshot();
    expect(after.quantity).toBe(0);
    expect(after.wallet - walletBefore).toBeCloseTo(-1_000, 6);
  });

  it('uses the mark candle when there is one, not the trade low', async () => {
    const h = harness(btc);
    await openLong(h);
    h.bar(candles('2 9500 9600 9000 9100 1000   9600 9050 9100')[0]!); // trade low crosses, mark low 9050 does not
    expect(h.broker.snapshot().quantity).toBe(1);
    h.bar(candles('3 9100 9200 9080 9100 1000   9200 9030 9100')[0]!); // mark low 9030 crosses
    expect(h.broker.snapshot().quantity).toBe(0);
    expect(h.events.at(-1)!.type).toBe('PositionLiquidated');
  });

  it('a stop the price reaches first fills before the liquidation; a stop beyond the liquidation price never does', async () => {
    const crash = candles('2 9900 9950 8900 9000 1000')[0]!;
    const safe = harness(btc);
    await openLong(safe);
    await safe.submit({ clientOrderId: 'sl', side: -1, type: 'STOP_MARKET', triggerPrice: 9500, reduceOnly: true, closePosition: true });
    safe.bar(crash);
    expect(safe.fills().at(-1)).toMatchObject({ clientOrderId: 'sl', price: 9500 });
    expect(safe.events.some((e) => e.type === 'PositionLiquidated')).toBe(false);

    const late = harness(btc);
    await openLong(late);
    await late.submit({ clientOrderId: 'sl', side: -1, type: 'STOP_MARKET', triggerPrice: 9000, reduceOnly: true, closePosition: true });
    late.bar(crash);
    expect(late.fills().map((f) => f.reason)).toEqual(['ORDER', 'LIQUIDATION']);
    const sl = late.events.at(-1)!;
    expect(sl.type === 'OrderUpdated' && sl.order).toMatchObject({ clientOrderId: 'sl', status: 'EXPIRED' });
  });

  it('a short is liquidated when the mark high reaches its liquidation price', async () => {
    const h = harness(btc);
    h.bar(opening[0]!);
    await h.submit({ clientOrderId: 'short', side: -1, type: 'MARKET', quantity: 1 });
    h.bar(opening[1]!);
    // LP = (1000 + 10000) / (0.004 + 1) = 10956.17529...
    const lp = 11_000 / 1.004;
    expect(h.broker.snapshot().liquidationPrice).toBeCloseTo(lp, 6);
    h.bar(candles('2 10000 10950 9990 10900 1000')[0]!);
    expect(h.broker.snapshot().quantity).toBe(-1);
    h.bar(candles('3 10900 10960 10890 10950 1000')[0]!);
    const event = h.events.at(-1)!;
    expect(event.type === 'PositionLiquidated' && event.fill.price).toBeCloseTo(lp, 6);
  });
});

describe('rejections are values', () => {
  const first = candles('0 100 100.5 99.5 100 1000')[0]!;

  it('filters, margin, leverage brackets, immediate triggers and duplicate ids', async () => {
    const h = harness();
    const reasons = async (...requests: Parameters<typeof h.submit>[0][]): Promise<string[]> => {
      const results = [];
      for (const r of requests) results.push(await h.submit(r));
      return results.map((r) => (r.status === 'REJECTED' ? r.reason : r.status));
    };
    expect(await reasons({ clientOrderId: 'early', side: 1, type: 'MARKET', quantity: 1 })).toEqual(['NO_MARKET_PRICE']);
    h.bar(first);
    expect(
      await reasons(
        { clientOrderId: 'a', side: 1, type: 'MARKET', quantity: 0.0004 },
        { clientOrderId: 'b', side: 1, type: 'LIMIT', quantity: 0.01, price: 99 },
        { clientOrderId: 'c', side: 1, type: 'LIMIT', quantity: 1 },
        { clientOrderId: 'd', side: 1, type: 'MARKET', quantity: 1, closePosition: true },
        { clientOrderId: 'e', side: -1, type: 'STOP_MARKET', triggerPrice: 101, reduceOnly: true, closePosition: true },
        { clientOrderId: 'f', side: -1, type: 'TAKE_PROFIT_MARKET', triggerPrice: 99, reduceOnly: true, closePosition: true },
        { clientOrderId: 'g', side: 1, type: 'MARKET', quantity: 2_000 },
        { clientOrderId: 'h', side: 1, type: 'MARKET', quantity: 1 },
        { clientOrderId: 'h', side: 1, type: 'MARKET', quantity: 1 },
        { clientOrderId: 'i', side: -1, type: 'MARKET', quantity: 0.01, reduceOnly: true },
      ),
    ).toEqual([
      'QTY_BELOW_MIN',
      'NOTIONAL_BELOW_MIN',
      'MISSING_PRICE',
      'CLOSE_POSITION_NOT_CONDITIONAL',
      'WOULD_IMMEDIATELY_TRIGGER',
      'WOULD_IMMEDIATELY_TRIGGER',
      'QTY_ABOVE_MAX',
      'ACCEPTED',
      'DUPLICATE_CLIENT_ORDER_ID',
      'ACCEPTED', // reduce-only orders are exempt from the minimum notional
    ]);
  });

  it('margin: initial margin plus fee must fit in the available balance, other open orders included', async () => {
    // 10,000 USDT at 20×: 199 × 1,000 / 20 = 9,950 + fee 99.5 > 10,000.
    const h = harness({ leverage: 20 });
    h.bar(candles('0 1000 1005 995 1000 1000')[0]!);
    const tooBig = await h.submit({ clientOrderId: 'x', side: 1, type: 'LIMIT', quantity: 199, price: 1_000 });
    expect(tooBig).toMatchObject({ status: 'REJECTED', reason: 'INSUFFICIENT_MARGIN' });
    // 100 × 999 / 20 = 4,995 + fee 49.95 fits once, not twice.
    expect((await h.submit({ clientOrderId: 'y', side: 1, type: 'LIMIT', quantity: 100, price: 999 })).status).toBe('ACCEPTED');
    expect(await h.submit({ clientOrderId: 'z', side: 1, type: 'LIMIT', quantity: 100, price: 999 })).toMatchObject({ reason: 'INSUFFICIENT_MARGIN' });
  });

  it('leverage above the bracket maximum for the notional', async () => {
    // BTCUSDT tier 2 starts at 50,000 USDT notional and allows at most 100×.
    const h = harness({ instrument: new Instrument(BTCUSDT_PERP), leverage: 125, initialBalance: 1_000_000 });
    h.bar(candles('0 50000 50010 49990 50000 1000')[0]!);
    expect((await h.submit({ clientOrderId: 'small', side: 1, type: 'LIMIT', quantity: 0.9, price: 50_000 })).status).toBe('ACCEPTED');
    expect(await h.submit({ clientOrderId: 'big', side: 1, type: 'LIMIT', quantity: 0.2, price: 50_000 })).toMatchObject({ reason: 'LEVERAGE_ABOVE_BRACKET' });
    await h.broker.setLeverage(100);
    expect((await h.submit({ clientOrderId: 'big2', side: 1, type: 'LIMIT', quantity: 0.2, price: 50_000 })).status).toBe('ACCEPTED');
    await expect(h.broker.setLeverage(126)).rejects.toThrow(XylenError);
  });

  it('broken invariants throw: a NaN bar, time going backwards, a NaN order', async () => {
    const h = harness();
    h.bar(first);
    expect(() => h.broker.onBar({ ...first, openTime: first.openTime + MINUTE, closeTime: first.closeTime + MINUTE, close: Number.NaN })).toThrow(/not a valid candle/);
    expect(() => h.broker.onBar(first)).toThrow(/comes after/);
    h.broker.onFunding(T0 + 480 * MINUTE, 0.0001, 100);
    expect(() => h.broker.onFunding(T0, 0.0001, 100)).toThrow(/comes after/);
    await expect(h.submit({ clientOrderId: 'nan', side: 1, type: 'LIMIT', quantity: Number.NaN, price: 100 })).rejects.toThrow(XylenError);
  });
});

describe('orders and snapshot', () => {
  it('cancel answers whether the order was open; the snapshot values the position at the last mark', async () => {
    const h = harness(NO_IMPACT);
    const bars = candles(`
      0 100 100.5 99.5 100 1000
      1 100 100.5 99.5 100 1000
      2 100 103   99.5 102 1000   103 100 101.5
    `);
    h.bar(bars[0]!);
    await h.submit({ clientOrderId: 'long', side: 1, type: 'MARKET', quantity: 2 });
    await h.submit({ clientOrderId: 'bid', side: 1, type: 'LIMIT', quantity: 1, price: 90 });
    expect(await h.broker.cancel('bid')).toBe(true);
    expect(await h.broker.cancel('bid')).toBe(false);
    h.bar(bars[1]!);
    h.bar(bars[2]!);
    const snap = h.broker.snapshot();
    expect(snap.markPrice).toBe(101.5);
    expect(snap.ts).toBe(bars[2]!.closeTime);
    expect(snap.unrealizedPnl).toBeCloseTo(2 * (101.5 - 100.02), 9);
    expect(snap.equity).toBeCloseTo(snap.wallet + snap.unrealizedPnl, 9);
    expect(snap.openOrders).toEqual([]);
    expect(h.broker.hasPosition).toBe(true);
  });
});
