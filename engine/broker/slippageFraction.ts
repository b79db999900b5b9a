/**
 * The price concession of a market-type fill, as a fraction of the price: a fixed spread-and-latency term plus a
 * volume-participation impact that follows the square-root law of market impact (Tóth et al. 2011, "Anomalous
 * price impact and the critical nature of liquidity"):
 *
 *   slippage = (slippageBps + impactBps · √(quantity / barVolume)) / 10 000
 *
 * impactBps plays the part of Y·σ in the law: about one bar's volatility in bps (5–10 for BTCUSDT 1m). At the
 * default participation cap of 10 % the impact term is √0.1 ≈ 0.32 of impactBps. A bar with no volume carries no
 * information about depth, so it adds no impact (it can only be filled at all when the cap is disabled).
 */
export function slippageFraction(slippageBps: number, impactBps: number, quantity: number, barVolume: number): number {
  const impact = barVolume > 0 ? impactBps * Math.sqrt(quantity / barVolume) : 0;
  return (slippageBps + impact) / 10_000;
}
