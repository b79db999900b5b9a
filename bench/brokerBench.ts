// Times SimulatedBroker.onBar over one year of synthetic 1m bars (525,600), as the replay calls it: flat with an
// empty book, and trading (an entry with a stop-loss and take-profit every ~100 bars, closed at the next one if
// neither exit hit). The whole replay must do ≥ 1,000,000 bars/s, so the broker's share must stay well under 1 µs/bar.
import type { BrokerBar } from '../engine/broker/BrokerBar.ts';
import { BTCUSDT_BRACKETS, MarginBrackets } from '../engine/broker/MarginBrackets.ts';
import { SimulatedBroker } from '../engine/broker/SimulatedBroker.ts';
import { ReplayClock } from '../engine/Clock.ts';
import { BTCUSDT_PERP, Instrument } from '../engine/Instrument.ts';
import { Rng } from '../engine/Rng.ts';

const BARS = 525_600;
const MINUTE = 60_000;
const START = Date.UTC(2024, 0, 1);
const EVERY = 100;

interface Columns {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** A seeded 1m random walk around 40,000 (≈ 5 bps per minute), with wicks and BTC-like volumes. */
function syntheticYear(seed: number): Columns {
  const rng = new Rng(seed);
  const c: Columns = { open: new Float64Array(BARS), high: new Float64Array(BARS), low: new Float64Array(BARS), close: new Float64Array(BARS), volume: new Float64Array(BARS) };
  let price = 40_000;
  for (let i = 0; i < BARS; i++) {
    const open = price;
    price *= Math.exp(rng.normal() * 0.0005);
    c.open[i] = open;
    c.close[i] = price;
    c.high[i] = Math.max(open, price) * (1 + rng.next() * 0.0004);
    c.low[i] = Math.min(open, price) * (1 - rng.next() * 0.0004);
    c.volume[i] = 20 + rng.next() * 300;
  }
  return c;
}

interface Result {
  ms: number;
  fills: number;
}

/** Feed bars [from, to) as the replay loop does: one reused bar object, the clock at each close, funding every 8 h. */
function feed(broker: SimulatedBroker | undefined, clock: ReplayClock, c: Columns, bar: BrokerBar, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const openTime = START + i * MINUTE;
    bar.openTime = openTime;
    bar.closeTime = openTime + MINUTE;
    bar.open = c.open[i]!;
    bar.high = c.high[i]!;
    bar.low = c.low[i]!;
    bar.close = c.close[i]!;
    bar.volume = c.volume[i]!;
    clock.advanceTo(bar.closeTime);
    if (broker === undefined) continue;
    broker.onBar(bar);
    if (i % 480 === 479) broker.onFunding(bar.closeTime, 0.0001, bar.close);
  }
}

type Mode = 'loop only' | 'flat' | 'holding' | 'trading';

async function replay(c: Columns, mode: Mode): Promise<Result> {
  const clock = new ReplayClock(START);
  const instrument = new Instrument(BTCUSDT_PERP);
  const broker = new SimulatedBroker({ instrument, brackets: new MarginBrackets(BTCUSDT_BRACKETS), initialBalance: 100_000, clock, leverage: 10 });
  let fills = 0;
  broker.onEvent((event) => {
    if (event.type === 'OrderFilled' || event.type === 'PositionLiquidated') fills++;
  });
  const bar: BrokerBar = { openTime: 0, closeTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  let n = 0;
  const t0 = performance.now();
  // Bars run in a synchronous loop between decisions; only the decision (every EVERY bars) awaits, as in the replay.
  for (let from = 0; from < BARS; from += EVERY) {
    feed(mode === 'loop only' ? undefined : broker, clock, c, bar, from, Math.min(from + EVERY, BARS));
    if (mode === 'trading') await decide(broker, instrument, bar.close, n++);
    if (mode === 'holding' && from === 0) await hold(broker, instrument, bar.close);
  }
  return { ms: performance.now() - t0, fills };
}

/** One long at 1× for the whole year, its stop-loss and take-profit too far away to trigger: the per-bar monitoring cost. */
async function hold(broker: SimulatedBroker, instrument: Instrument, close: number): Promise<void> {
  await broker.setLeverage(1);
  const exit = { side: -1 as const, quantity: 0, reduceOnly: true, closePosition: true };
  await broker.submit({ clientOrderId: 'hold', side: 1, type: 'MARKET', quantity: 0.1, reduceOnly: false });
  await broker.submit({ ...exit, clientOrderId: 'hold-sl', type: 'STOP_MARKET', triggerPrice: instrument.roundPrice(close / 100) });
  await broker.submit({ ...exit, clientOrderId: 'hold-tp', type: 'TAKE_PROFIT_MARKET', triggerPrice: instrument.roundPrice(close * 100) });
}

/** Close an open position, or open one (alternating long and short) with a stop-loss 0.4 % and a take-profit 0.6 % away. */
async function decide(broker: SimulatedBroker, instrument: Instrument, close: number, n: number): Promise<void> {
  if (broker.hasPosition) {
    await broker.cancelAll();
    const held = broker.snapshot().quantity;
    await broker.submit({ clientOrderId: `x${n}`, side: held > 0 ? -1 : 1, type: 'MARKET', quantity: Math.abs(held), reduceOnly: true });
    return;
  }
  const side = n % 2 === 0 ? 1 : -1;
  const exit = { side: side === 1 ? (-1 as const) : (1 as const), quantity: 0, reduceOnly: true, closePosition: true };
  await broker.submit({ clientOrderId: `e${n}`, side, type: 'MARKET', quantity: 0.1, reduceOnly: false });
  await broker.submit({ ...exit, clientOrderId: `s${n}`, type: 'STOP_MARKET', triggerPrice: instrument.roundPrice(close * (1 - side * 0.004)) });
  await broker.submit({ ...exit, clientOrderId: `t${n}`, type: 'TAKE_PROFIT_MARKET', triggerPrice: instrument.roundPrice(close * (1 + side * 0.006)) });
}

export async function run(): Promise<void> {
  const columns = syntheticYear(42);
  const best = new Map<Mode, Result>();
  // Interleave the modes so that a busy machine slows them alike; keep each mode's best run.
  for (let k = 0; k < 7; k++) {
    for (const mode of ['loop only', 'flat', 'holding', 'trading'] as const) {
      const result = await replay(columns, mode);
      if (result.ms < (best.get(mode)?.ms ?? Infinity)) best.set(mode, result);
    }
  }
  const loop = best.get('loop only')!.ms;
  for (const [mode, result] of best) {
    const perBar = (result.ms * 1e6) / BARS;
    const share = mode === 'loop only' ? '' : `, broker ≈ ${(((result.ms - loop) * 1e6) / BARS).toFixed(1)} ns/bar`;
    console.log(`SimulatedBroker ${mode.padEnd(9)}: ${BARS} 1m bars in ${result.ms.toFixed(1)} ms = ${((BARS / result.ms) * 1000).toFixed(0)} bars/s (${perBar.toFixed(1)} ns/bar${share}), ${result.fills} fills`);
  }
  console.log('(best of 7. loop only: the bars and the clock, no broker. holding: one position with SL and TP all year.');
  console.log(' trading: entry + SL + TP or a close every 100 bars; its figure includes the bench\'s own async decision code.)');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
