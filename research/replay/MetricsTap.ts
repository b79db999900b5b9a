import type { Journal, JournalRecord } from '../../engine/index.ts';

/**
 * Forwards every record to the run's journal and keeps in memory only what the metrics read: each heartbeat as an
 * equity mark (its account, not its features or votes), and the trades, fills, funding and risk events. So the report
 * needs no read-back of a year of decisions, and a sweep's tap (forwarding nowhere) holds a few numbers per decision.
 */
export class MetricsTap implements Journal {
  readonly records: JournalRecord[] = [];

  constructor(private readonly inner: Journal) {}

  record(entry: JournalRecord): void {
    this.inner.record(entry);
    switch (entry.type) {
      case 'heartbeat':
        this.records.push({ type: 'equity', ts: entry.ts, equity: entry.equity, wallet: entry.wallet, quantity: entry.quantity, markPrice: entry.markPrice });
        return;
      case 'order':
        return;
      default:
        this.records.push(entry);
    }
  }
}
