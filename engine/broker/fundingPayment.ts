/**
 * Funding paid or received at a settlement (00:00, 08:00, 16:00 UTC for BTCUSDT): the position's
 * notional at the mark price times the rate. Signed from the account's side: a long pays (negative)
 * when the rate is positive and receives when it is negative; a short the opposite.
 */
export function fundingPayment(signedQuantity: number, markPrice: number, rate: number): number {
  return -signedQuantity * markPrice * rate;
}
