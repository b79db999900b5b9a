import type { Bracket, MarginBrackets } from './MarginBrackets.ts';

/**
 * Liquidation price of an isolated, one-way position, from Binance's documented formula
 * (USDⓈ-M "How to calculate liquidation price"):
 *
 *   LP = (WB + cum − side·Q·EP) / (Q·MMR − side·Q)
 *
 * with WB the isolated wallet balance (margin, after fees and funding), Q the absolute size, EP the entry
 * price, side +1 long / −1 short, and MMR, cum from the bracket of the notional *at the liquidation
 * price*. The bracket depends on the answer, so we try each tier and keep the one that is self-consistent.
 * Returns 0 for a long that cannot be liquidated (margin covers the whole notional); a short always has one.
 */
export function liquidationPrice(side: 1 | -1, quantity: number, entryPrice: number, isolatedMargin: number, brackets: MarginBrackets): number {
  const q = Math.abs(quantity);
  if (q === 0) return side === 1 ? 0 : Infinity;
  let fallback = Number.NaN;
  for (const tier of brackets.tiers) {
    const price = solve(side, q, entryPrice, isolatedMargin, tier);
    if (!(price > 0)) continue;
    if (brackets.bracketFor(price * q) === tier) return price;
    if (Number.isNaN(fallback)) fallback = price;
  }
  return Number.isNaN(fallback) ? 0 : fallback;
}

function solve(side: 1 | -1, q: number, ep: number, wb: number, tier: Bracket): number {
  return (wb + tier.cum - side * q * ep) / (q * tier.rate - side * q);
}
