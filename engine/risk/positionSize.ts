import { assertNever } from '../assertNever.ts';
import type { SizingOptions } from './RiskOptions.ts';

export interface SizingInput {
  equity: number;
  /** Expected entry price. */
  price: number;
  /** |entry − stop-loss|, positive. */
  stopDistance: number;
  leverage: number;
  /** The ensemble's confidence in [0, 1]; scales the Kelly fraction. */
  confidence: number;
  /** Kelly: probability of a win, from the models' record; unknown means no known edge. */
  winRate?: number;
  /** Kelly: average win / average loss. */
  payoff: number;
}

export type SizingResult =
  | { status: 'SIZED'; quantity: number }
  | { status: 'NO_EDGE'; reason: string; values: Record<string, number> };

/** The Kelly fraction f* = p − (1 − p)/b: the share of capital to risk on a bet won with probability p at odds b. */
export function kellyFraction(winRate: number, payoff: number): number {
  return winRate - (1 - winRate) / payoff;
}

/**
 * The base-asset quantity a sizing method asks for, before the leverage cap (the caller applies it):
 * - `fixed_fraction`: lose `fraction` of equity if the stop is hit: equity · fraction / |entry − stop|;
 * - `kelly`: the same with the fraction f = min(kelly_cap, f* · confidence). A trade's Kelly "bet" is what it
 *   loses at the stop and its odds b are the payoff ratio, so f* is a share of equity put at risk, like
 *   `fraction`. f ≤ 0 (no edge, or no win rate known) means no trade;
 * - `fixed_amount`: post `amount` USDT of margin at the leverage: amount · leverage / price.
 */
export function positionSize(sizing: SizingOptions, input: SizingInput): SizingResult {
  const { equity, price, stopDistance } = input;
  const method = sizing.method;
  switch (method) {
    case 'fixed_fraction':
      return { status: 'SIZED', quantity: (equity * sizing.fraction) / stopDistance };
    case 'fixed_amount':
      return { status: 'SIZED', quantity: (sizing.amount * input.leverage) / price };
    case 'kelly': {
      const { winRate, payoff, confidence } = input;
      if (winRate === undefined) return { status: 'NO_EDGE', reason: 'Kelly sizing needs a win rate and none is known yet', values: { payoff } };
      if (!(payoff > 0)) return { status: 'NO_EDGE', reason: `Kelly sizing needs a positive payoff ratio, got ${payoff}`, values: { winRate, payoff } };
      const full = kellyFraction(winRate, payoff);
      const values = { winRate, payoff, kelly: full, confidence };
      if (!(full * confidence > 0)) {
        return {
          status: 'NO_EDGE',
          reason: `Kelly fraction ${full.toFixed(4)} × confidence ${confidence.toFixed(3)} is not positive (win rate ${winRate.toFixed(3)}, payoff ${payoff.toFixed(3)}): no edge, no trade`,
          values,
        };
      }
      return { status: 'SIZED', quantity: (equity * Math.min(sizing.kelly_cap, full * confidence)) / stopDistance };
    }
    default:
      return assertNever(method, 'sizing method');
  }
}
