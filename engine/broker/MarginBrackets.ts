/**
 * Binance USDⓈ-M maintenance-margin brackets (leverage tiers by position notional). In each tier,
 * maintenance margin = notional × rate − cum, where `cum` (Binance's "maintenance amount") makes the
 * margin continuous across tier floors: cum_n = cum_{n−1} + floor_n × (rate_n − rate_{n−1}).
 * We derive `cum` from that identity instead of copying it, so a table edit cannot leave it inconsistent.
 */
export interface BracketTier {
  /** Lowest notional (USDT) of the tier, inclusive. */
  floor: number;
  maxLeverage: number;
  /** Maintenance-margin rate. */
  rate: number;
}

export interface Bracket extends BracketTier {
  cum: number;
}

/** BTCUSDT perpetual brackets as Binance published them (leverageBracket endpoint, 2023–2025). */
export const BTCUSDT_BRACKETS: readonly BracketTier[] = [
  { floor: 0, maxLeverage: 125, rate: 0.004 },
  { floor: 50_000, maxLeverage: 100, rate: 0.005 },
  { floor: 250_000, maxLeverage: 50, rate: 0.01 },
  { floor: 3_000_000, maxLeverage: 20, rate: 0.025 },
  { floor: 15_000_000, maxLeverage: 10, rate: 0.05 },
  { floor: 30_000_000, maxLeverage: 5, rate: 0.1 },
  { floor: 80_000_000, maxLeverage: 4, rate: 0.125 },
  { floor: 100_000_000, maxLeverage: 3, rate: 0.15 },
  { floor: 200_000_000, maxLeverage: 2, rate: 0.25 },
  { floor: 300_000_000, maxLeverage: 1, rate: 0.5 },
];

export class MarginBrackets {
  readonly tiers: readonly Bracket[];

  constructor(tiers: readonly BracketTier[]) {
    if (tiers.length === 0 || tiers[0]!.floor !== 0) throw new RangeError('brackets must start at notional 0');
    let cum = 0;
    this.tiers = tiers.map((tier, i) => {
      if (i > 0) {
        const previous = tiers[i - 1]!;
        if (!(tier.floor > previous.floor && tier.rate >= previous.rate)) throw new RangeError(`bracket ${i} must rise in floor and rate`);
        // Round away float noise (0.125 − 0.1 is not exact); Binance quotes cum in whole cents at most.
        cum = Math.round((cum + tier.floor * (tier.rate - previous.rate)) * 1e6) / 1e6;
      }
      return { ...tier, cum };
    });
  }

  /** The tier a position of this notional (absolute, USDT) falls in. */
  bracketFor(notional: number): Bracket {
    const n = Math.abs(notional);
    let found = this.tiers[0]!;
    for (const tier of this.tiers) {
      if (n >= tier.floor) found = tier;
      else break;
    }
    return found;
  }

  maintenanceMargin(notional: number): number {
    const tier = this.bracketFor(notional);
    return Math.abs(notional) * tier.rate - tier.cum;
  }

  /** The highest leverage allowed for a position of this notional. */
  maxLeverage(notional: number): number {
    return this.bracketFor(notional).maxLeverage;
  }
}
