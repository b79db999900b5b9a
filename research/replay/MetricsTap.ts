import type { Journal, JournalRecord } from '../../engine/index.ts';

const KEPT = new Set<JournalRecord['type']>(['equity', 'trade', 'fill', 'funding', 'risk']);

/**
 * Forwards every record to the run's journal and keeps in memory only the few types the metrics read (equity,
 * trades, fills, funding, risk events), so the report needs no read-back of a year of decisions.
 */
export class MetricsTap implements Journal {
  readonly records: JournalRecord[] = [];

  constructor(private readonly inner: Journal) {}

  record(entry: JournalRecord): void {
    this.inner.record(entry);
    if (KEPT.has(entry.type)) this.records.push(entry);
  }
}
