import type { Clock } from '../Clock.ts';
import type { Instrument } from '../Instrument.ts';
import type { MarginBrackets } from './MarginBrackets.ts';
import { SimulatedBroker } from './SimulatedBroker.ts';

/** The config keys the simulated broker reads, in their xylen.yaml spelling: the `replay` fill model and `risk.leverage`. */
export interface SimulatedBrokerSettings {
  replay: { initial_balance: number; taker_fee: number; maker_fee: number; slippage_bps: number };
  risk: { leverage: number };
}

/**
 * The simulated broker a config asks for. The replay and paper trading both build theirs here, so paper fills are
 * replay fills: a key mapped in one and not the other would make them drift apart silently.
 */
export function simulatedBrokerFor(config: SimulatedBrokerSettings, parts: { instrument: Instrument; brackets: MarginBrackets; clock: Clock }): SimulatedBroker {
  return new SimulatedBroker({
    ...parts,
    initialBalance: config.replay.initial_balance,
    takerFee: config.replay.taker_fee,
    makerFee: config.replay.maker_fee,
    slippageBps: config.replay.slippage_bps,
    leverage: config.risk.leverage,
  });
}
