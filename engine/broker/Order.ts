import type { Side } from './Account.ts';

/** The order types Xylen uses on USDⓈ-M (Binance names). Stops and take-profits are market orders once triggered. */
export type OrderType = 'MARKET' | 'LIMIT' | 'STOP_MARKET' | 'TAKE_PROFIT_MARKET';

/** A command to the broker (imperative). Quantities and prices are on the instrument's grid already. */
export interface OrderRequest {
  /** Deterministic id made by the coordinator, so a retried request can never open a second position. */
  clientOrderId: string;
  side: Side;
  type: OrderType;
  /** Base-asset quantity (BTC). Ignored when `closePosition` is true. */
  quantity: number;
  /** LIMIT only. */
  price?: number;
  /** STOP_MARKET / TAKE_PROFIT_MARKET: the trigger, compared with the bar's prices (contract price). */
  triggerPrice?: number;
  /** Only ever reduce the position (protective orders). */
  reduceOnly: boolean;
  /** Close whatever position is open when triggered (Binance's closePosition=true). */
  closePosition?: boolean;
}

export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

export interface OrderState extends OrderRequest {
  status: OrderStatus;
  filledQuantity: number;
  averagePrice: number;
  /** When the broker accepted it (Unix ms). */
  createdAt: number;
  updatedAt: number;
}

/** Why a fill happened. */
export type FillReason = 'ORDER' | 'STOP_LOSS' | 'TAKE_PROFIT' | 'LIQUIDATION';

/** An execution (past tense, an event). */
export interface Fill {
  ts: number;
  clientOrderId: string;
  side: Side;
  quantity: number;
  price: number;
  fee: number;
  liquidity: 'maker' | 'taker';
  reason: FillReason;
  /** Realized PnL of the part that closed a position (gross of fees). */
  realizedPnl: number;
}

/** A rejected order is a value, not an exception (STYLE convention 11). */
export type SubmitResult =
  | { status: 'ACCEPTED'; order: OrderState }
  | { status: 'REJECTED'; clientOrderId: string; reason: string; detail: string };

/** What the broker tells the coordinator (events, past tense). */
export type BrokerEvent =
  | { type: 'OrderUpdated'; ts: number; order: OrderState }
  | { type: 'OrderFilled'; ts: number; fill: Fill; order: OrderState }
  | { type: 'FundingSettled'; ts: number; rate: number; markPrice: number; payment: number }
  | { type: 'PositionLiquidated'; ts: number; fill: Fill; markPrice: number; liquidationPrice: number };

/** A read-only view of the account and position at a point in time. */
export interface BrokerSnapshot {
  ts: number;
  wallet: number;
  equity: number;
  /** Signed position size: > 0 long, < 0 short. */
  quantity: number;
  entryPrice: number;
  markPrice: number;
  unrealizedPnl: number;
  isolatedMargin: number;
  leverage: number;
  /** 0 when flat or not liquidatable. */
  liquidationPrice: number;
  realizedPnl: number;
  fees: number;
  funding: number;
  openOrders: readonly OrderState[];
}

/**
 * A snapshot with every number NaN, to be filled by `Broker.snapshot(into)`: a caller that takes one per heartbeat
 * reuses it and allocates nothing. NaN rather than 0: V8 types a field by its first value, and a field that began as
 * an integer was re-typed at the first fraction, throwing away the optimised code of every reader, in every run.
 */
export function emptySnapshot(): BrokerSnapshot {
  return {
    ts: Number.NaN,
    wallet: Number.NaN,
    equity: Number.NaN,
    quantity: Number.NaN,
    entryPrice: Number.NaN,
    markPrice: Number.NaN,
    unrealizedPnl: Number.NaN,
    isolatedMargin: Number.NaN,
    leverage: Number.NaN,
    liquidationPrice: Number.NaN,
    realizedPnl: Number.NaN,
    fees: Number.NaN,
    funding: Number.NaN,
    openOrders: [],
  };
}
