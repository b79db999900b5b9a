import type { BrokerEvent, BrokerSnapshot, OrderRequest, SubmitResult } from '../broker/Order.ts';

/**
 * Where orders go. Replay: `SimulatedBroker`; live: ccxt `binanceusdm` (testnet) or a paper broker
 * (live feed, simulated fills). The coordinator only ever sees this interface, so the same code trades in both.
 * Methods are async because a real exchange is; the simulated broker resolves at once.
 */
export interface Broker {
  submit(request: OrderRequest): Promise<SubmitResult>;
  /** Cancel one open order; resolves false when it was not open (already filled or unknown). */
  cancel(clientOrderId: string): Promise<boolean>;
  cancelAll(): Promise<void>;
  setLeverage(leverage: number): Promise<void>;
  /** The account and position now; written into `into` when given (and returned), else into a new object. */
  snapshot(into?: BrokerSnapshot): BrokerSnapshot;
  /** Equity at the last mark: `snapshot().equity` without building a snapshot (read on every bar in a position). */
  equity(): number;
  /** Subscribe to fills, order updates, funding and liquidations, delivered in time order. */
  onEvent(handler: (event: BrokerEvent) => void): void;
}
