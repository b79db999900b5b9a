import type { BrokerBar, SimulatedBroker } from '../engine/index.ts';
import { DEFAULT_FUNDING_RATE } from '../research/replay/replayInputs.ts';

const EIGHT_HOURS = 8 * 3_600_000;

/**
 * Paper trading (`dry_run: true`): the live feed drives the engine's SimulatedBroker exactly as the replay driver
 * does — each closed bar, then the funding due by its close — so paper fills are replay fills. Funding is charged at
 * the constant base rate on Binance's 8-hour marks, as a replay without stored rates does.
 */
export class PaperVenue {
  private lastClose = Number.NaN;

  constructor(
    readonly broker: SimulatedBroker,
    private readonly fundingRate = DEFAULT_FUNDING_RATE,
  ) {}

  get hasPosition(): boolean {
    return this.broker.hasPosition;
  }

  onBar(bar: BrokerBar): void {
    this.broker.onBar(bar);
    const previous = this.lastClose;
    this.lastClose = bar.closeTime;
    if (Number.isNaN(previous)) return;
    for (let t = Math.floor(previous / EIGHT_HOURS) * EIGHT_HOURS + EIGHT_HOURS; t <= bar.closeTime; t += EIGHT_HOURS) {
      this.broker.onFunding(t, this.fundingRate, bar.close);
    }
  }
}
