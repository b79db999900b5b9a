// Test support for the simulated broker: candle tables (freqtrade-style rows of time, O, H, L, C, V) and a
// broker wired to a replay clock that records every event it emits.
import { ReplayClock } from '../../Clock.ts';
import { Instrument, type InstrumentSpec } from '../../Instrument.ts';
import type { BrokerBar } from '../BrokerBar.ts';
import { BTCUSDT_BRACKETS, MarginBrackets } from '../MarginBrackets.ts';
import type { BrokerEvent, Fill, OrderRequest } from '../Order.ts';
import { SimulatedBroker, type SimulatedBrokerOptions } from '../SimulatedBroker.ts';

export const MINUTE = 60_000;
/** 2024-01-01T00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);

/** Round numbers for hand-worked scenarios: prices near 100 on a 0.01 tick, quantities on a 0.001 step. */
export const TEST_SPEC: InstrumentSpec = { symbol: 'TESTUSDT', tickSize: '0.01', stepSize: '0.001', minQty: '0.001', maxQty: '1000', minNotional: '5' };

/**
 * Parse a candle table. Each row is `minute open high low close volume`, optionally followed by
 * `markHigh markLow markClose`; `#` starts a comment. A bar opens at T0 + minute and closes one minute later.
 */
export function candles(table: string): BrokerBar[] {
  return table
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0 && !/^[a-z]/i.test(line))
    .map((line) => {
      const [minute, open, high, low, close, volume, markHigh, markLow, markClose] = line.split(/[\s|]+/).map(Number);
      const openTime = T0 + minute! * MINUTE;
      const bar: BrokerBar = { openTime, closeTime: openTime + MINUTE, open: open!, high: high!, low: low!, close: close!, volume: volume! };
      if (markClose !== undefined) Object.assign(bar, { markHigh, markLow, markClose });
      return bar;
    });
}

export interface Harness {
  broker: SimulatedBroker;
  clock: ReplayClock;
  events: BrokerEvent[];
  /** Feed one bar as the replay does: advance the clock to its close, then let the broker see it. */
  bar(bar: BrokerBar): void;
  submit(request: Partial<OrderRequest> & Pick<OrderRequest, 'clientOrderId' | 'side' | 'type'>): Promise<ReturnType<SimulatedBroker['submit']> extends Promise<infer R> ? R : never>;
  fills(): Fill[];
}

export function harness(options: Partial<SimulatedBrokerOptions> = {}): Harness {
  const clock = new ReplayClock(T0);
  const broker = new SimulatedBroker({
    instrument: new Instrument(TEST_SPEC),
    brackets: new MarginBrackets(BTCUSDT_BRACKETS),
    initialBalance: 10_000,
    // 5× keeps liquidation (about 20 % away) out of scenarios about stops; liquidation tests set their own.
    leverage: 5,
    clock,
    ...options,
  });
  const events: BrokerEvent[] = [];
  broker.onEvent((event) => events.push(event));
  return {
    broker,
    clock,
    events,
    bar(bar) {
      clock.advanceTo(bar.closeTime);
      broker.onBar(bar);
    },
    submit: (request) => broker.submit({ quantity: 0, reduceOnly: false, ...request }),
    fills: () => events.flatMap((e) => (e.type === 'OrderFilled' || e.type === 'PositionLiquidated' ? [e.fill] : [])),
  };
}
