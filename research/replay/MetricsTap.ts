import type { Journal, JournalRecord } from '../../engine/index.ts';
import { MetricsCollector } from '../metrics/computeMetrics.ts';

/**
 * Forwards every record to the run's journal and collects what the metrics need on the way, so the report needs no
 * read-back of a year of decisions.
 */
export class MetricsTap implements Journal {
  readonly collector = new MetricsCollector();

  constructor(private readonly inner: Journal) {}

  record(entry: JournalRecord): void {
    this.inner.record(entry);
    this.collector.record(entry);
  }
}
