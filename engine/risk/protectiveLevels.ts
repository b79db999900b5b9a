import { assertNever } from '../assertNever.ts';
import type { RiskLimits } from './RiskOptions.ts';

export interface LevelsInput {
  action: 'long' | 'short';
  /** Expected entry price. */
  price: number;
  atr?: number;
  proposedStopLoss?: number;
  proposedTakeProfit?: number;
}

export type LevelsResult =
  | { status: 'OK'; stopLoss: number; takeProfit: number }
  | { status: 'INVALID'; reason: string; values: Record<string, number> };

/**
 * Stop-loss and take-profit prices for an entry, by `stop_mode`:
 * - `pct`: entry × (1 ∓ stop_loss_pct) and entry × (1 ± take_profit_pct);
 * - `atr`: entry ∓ atr_stop_mult × ATR and entry ± atr_tp_mult × ATR (no ATR yet, e.g. in warm-up: invalid);
 * - `ensemble`: the ensemble's proposed levels, each falling back to its `pct` level when none was proposed.
 * Whatever the source, the stop must be on the losing side of the entry and the take-profit on the winning
 * side, both above zero; otherwise the levels are invalid and the order is denied rather than silently repaired.
 */
export function protectiveLevels(input: LevelsInput, risk: RiskLimits): LevelsResult {
  const { action, price } = input;
  const side = action === 'long' ? 1 : -1;
  const pctStop = price * (1 - side * risk.stop_loss_pct);
  const pctTarget = price * (1 + side * risk.take_profit_pct);
  let stopLoss: number;
  let takeProfit: number;
  const mode = risk.stop_mode;
  switch (mode) {
    case 'pct':
      stopLoss = pctStop;
      takeProfit = pctTarget;
      break;
    case 'atr': {
      const atr = input.atr;
      if (atr === undefined || !(atr > 0)) {
        return { status: 'INVALID', reason: `stop_mode atr needs a positive ATR, got ${atr ?? 'none'}`, values: atr === undefined ? { price } : { price, atr } };
      }
      stopLoss = price - side * risk.atr_stop_mult * atr;
      takeProfit = price + side * risk.atr_tp_mult * atr;
      break;
    }
    case 'ensemble':
      stopLoss = input.proposedStopLoss ?? pctStop;
      takeProfit = input.proposedTakeProfit ?? pctTarget;
      break;
    default:
      return assertNever(mode, 'stop_mode');
  }
  const values = { price, stopLoss, takeProfit };
  const below = action === 'long' ? 'below' : 'above';
  const above = action === 'long' ? 'above' : 'below';
  if (!(side * (price - stopLoss) > 0 && stopLoss > 0)) {
    return { status: 'INVALID', reason: `${mode} stop-loss ${stopLoss} must be ${below} the ${action} entry ${price} and above 0`, values };
  }
  if (!(side * (takeProfit - price) > 0 && takeProfit > 0)) {
    return { status: 'INVALID', reason: `${mode} take-profit ${takeProfit} must be ${above} the ${action} entry ${price} and above 0`, values };
  }
  return { status: 'OK', stopLoss, takeProfit };
}
