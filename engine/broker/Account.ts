import { invariantError } from '../XylenError.ts';
import { fundingPayment } from './fundingPayment.ts';

/** Buy or sell, as a sign: +1 buys, −1 sells. */
export type Side = 1 | -1;

/** What a fill did to the account: realized PnL of the part that closed, the fee, and the new position. */
export interface FillEffect {
  realizedPnl: number;
  fee: number;
  closedQuantity: number;
  openedQuantity: number;
}

/**
 * A USDⓈ-M futures account with one one-way position in one symbol, on isolated margin. It keeps the
 * money flows apart so that the accounting identities hold by construction and can be checked:
 *
 *   wallet = initial + realizedPnl − fees + funding
 *   equity = wallet + unrealizedPnl(mark)
 *
 * Fees are positive costs; funding is signed (negative when paid). Realized PnL is gross of fees.
 * Isolated margin moves with the position: added at margin = notional / leverage on opening, released
 * pro rata on reducing, and funding settles against it (as Binance does), which moves the liquidation price.
 */
export class Account {
  /** Signed size: > 0 long, < 0 short. */
  quantity = 0;
  entryPrice = 0;
  isolatedMargin = 0;
  wallet: number;
  realizedPnl = 0;
  fees = 0;
  funding = 0;

  constructor(readonly initialBalance: number) {
    if (!(initialBalance > 0)) throw invariantError('BAD_BALANCE', `initial balance must be positive, got ${initialBalance}`);
    this.wallet = initialBalance;
  }

  get isFlat(): boolean {
    return this.quantity === 0;
  }

  unrealizedPnl(markPrice: number): number {
    return this.quantity * (markPrice - this.entryPrice);
  }

  equity(markPrice: number): number {
    return this.wallet + this.unrealizedPnl(markPrice);
  }

  /** Apply an executed trade of `quantity` (> 0) at `price`, paying `fee`, with the position's leverage. */
  fill(side: Side, quantity: number, price: number, fee: number, leverage: number): FillEffect {
    if (!(quantity > 0) || !(price > 0) || !(fee >= 0) || !(leverage >= 1)) {
      throw invariantError('BAD_FILL', `invalid fill: side ${side}, quantity ${quantity}, price ${price}, fee ${fee}, leverage ${leverage}`);
    }
    const held = this.quantity;
    const closing = held !== 0 && Math.sign(held) !== side ? Math.min(Math.abs(held), quantity) : 0;
    const opening = quantity - closing;
    let realized = 0;
    if (closing > 0) {
      realized = closing * (price - this.entryPrice) * Math.sign(held);
      this.isolatedMargin -= this.isolatedMargin * (closing / Math.abs(held));
      this.quantity = held + side * closing;
      if (Math.abs(this.quantity) < 1e-12) {
        this.quantity = 0;
        this.entryPrice = 0;
        this.isolatedMargin = 0;
      }
    }
    if (opening > 0) {
      const size = Math.abs(this.quantity);
      this.entryPrice = (size * this.entryPrice + opening * price) / (size + opening);
      this.quantity += side * opening;
      this.isolatedMargin += (opening * price) / leverage;
    }
    this.realizedPnl += realized;
    this.fees += fee;
    this.wallet += realized - fee;
    return { realizedPnl: realized, fee, closedQuantity: closing, openedQuantity: opening };
  }

  /** Settle funding at a settlement time; returns the signed payment (negative = paid). */
  settleFunding(markPrice: number, rate: number): number {
    const payment = fundingPayment(this.quantity, markPrice, rate);
    this.funding += payment;
    this.wallet += payment;
    if (this.quantity !== 0) this.isolatedMargin += payment;
    return payment;
  }
}
