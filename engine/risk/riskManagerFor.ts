import type { MarginBrackets } from '../broker/MarginBrackets.ts';
import { RiskManager } from './RiskManager.ts';
import type { RiskLimits, SizingOptions } from './RiskOptions.ts';

/** The config keys the risk manager reads, in their xylen.yaml spelling. */
export interface RiskManagerSettings {
  sizing: SizingOptions;
  risk: RiskLimits;
  replay: { taker_fee: number; slippage_bps: number };
}

/**
 * The risk manager a config asks for, built the same way by the replay and by live mode so both size and limit
 * trades alike. An entry is a market order: it costs the taker fee plus the fill model's slippage.
 */
export function riskManagerFor(config: RiskManagerSettings, brackets: MarginBrackets): RiskManager {
  return new RiskManager({
    sizing: config.sizing,
    risk: config.risk,
    maxLeverageFor: (notional) => brackets.maxLeverage(notional),
    entryCostRate: config.replay.taker_fee + config.replay.slippage_bps / 10_000,
  });
}
