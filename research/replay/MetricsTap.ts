import type { Journal, JournalRecord } from '../../engine/index.ts';
import { metricsFromCurve, type MetricsMarket, type RunMetrics } from '../metrics/computeMetrics.ts';
import { EquityCurve } from '../metrics/EquityCurve.ts';

/**
 * Forwards every record to the run's journal and keeps in memory only what the metrics read: the equity after each
 * heartbeat and at each equity mark as an EquityCurve (not the features or votes), and the trades, fills, funding
 * and risk events as records. So the report needs no read-back of a year of decisions, and a sweep's tap
 * (forwarding nowhere) holds a few numbers per decision.
 */
export class MetricsTap implements Journal {
  readonly curve = new EquityCurve();
  /** The records other than heartbeats, equity marks and orders, in arrival order. */
  readonly records: JournalRecord[] = [];

  constructor(private readonly inner: Journal) {}

  record(entry: JournalRecord): void {
    this.inner.record(entry);
    switch (entry.type) {
      case 'heartbeat':
      case 'equity':
        this.curve.push(entry.ts, entry.equity, entry.quantity);
        return;
      case 'order':
        return;
      default:
        this.records.push(entry);
    }
  }

  /** The run's metrics so far (research/metrics computeMetrics). */
  metrics(market: MetricsMarket): RunMetrics {
    return metricsFromCurve(this.curve, this.records, market);
  }
}
