export { MarginBrackets, BTCUSDT_BRACKETS } from './MarginBrackets.ts';
export type { Bracket, BracketTier } from './MarginBrackets.ts';
export { liquidationPrice } from './liquidationPrice.ts';
export { fundingPayment } from './fundingPayment.ts';
export { Account } from './Account.ts';
export type { Side, FillEffect } from './Account.ts';
export type { OrderType, OrderRequest, OrderStatus, OrderState, Fill, FillReason, SubmitResult, BrokerEvent, BrokerSnapshot } from './Order.ts';
