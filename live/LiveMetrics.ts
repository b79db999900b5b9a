import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JournalRecord, ModelClient, ModelRequest, Prediction } from '../engine/index.ts';

/**
 * Prometheus metrics of the live process (GET /metrics on the control API): decisions by outcome, orders by status,
 * fills, realized PnL and equity, model latency and health, exchange errors by class, the exchange's used request
 * weight. Label values are fixed sets or model names — never keys, ids or messages.
 */
export class LiveMetrics {
  readonly registry = new Registry();
  private readonly decisions = new Counter({ name: 'xylen_decisions_total', help: 'Decisions by outcome', labelNames: ['outcome'], registers: [this.registry] });
  private readonly orders = new Counter({ name: 'xylen_orders_total', help: 'Order records by status', labelNames: ['status', 'type'], registers: [this.registry] });
  private readonly fills = new Counter({ name: 'xylen_fills_total', help: 'Fills by reason', labelNames: ['reason'], registers: [this.registry] });
  private readonly trades = new Counter({ name: 'xylen_trades_total', help: 'Closed trades', registers: [this.registry] });
  private readonly pnl = new Gauge({ name: 'xylen_realized_pnl_usdt', help: 'Net PnL of closed trades since start', registers: [this.registry] });
  private readonly equity = new Gauge({ name: 'xylen_equity_usdt', help: 'Equity at the last heartbeat', registers: [this.registry] });
  private readonly position = new Gauge({ name: 'xylen_position_quantity', help: 'Signed position at the last heartbeat', registers: [this.registry] });
  private readonly risk = new Counter({ name: 'xylen_risk_events_total', help: 'Risk rules that fired', labelNames: ['rule'], registers: [this.registry] });
  private readonly latency = new Histogram({ name: 'xylen_model_latency_seconds', help: 'Model answer latency', labelNames: ['model'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [this.registry] });
  private readonly health = new Gauge({ name: 'xylen_model_healthy', help: '1 when the model answered its last request', labelNames: ['model'], registers: [this.registry] });
  readonly exchangeErrors = new Counter({ name: 'xylen_exchange_errors_total', help: 'Exchange errors by handling', labelNames: ['action'], registers: [this.registry] });
  readonly weight = new Gauge({ name: 'xylen_exchange_used_weight_1m', help: 'X-MBX-USED-WEIGHT-1M of the last response', registers: [this.registry] });
  readonly heartbeat = new Histogram({ name: 'xylen_heartbeat_seconds', help: 'Candle close handled to decision and orders done', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [this.registry] });
  private realized = 0;

  onRecord(r: JournalRecord): void {
    switch (r.type) {
      case 'heartbeat':
        this.decisions.inc({ outcome: r.outcome });
        return;
      case 'order':
        this.orders.inc({ status: r.order.status, type: r.order.type });
        return;
      case 'fill':
        this.fills.inc({ reason: r.fill.reason });
        return;
      case 'trade':
        this.trades.inc();
        this.realized += r.pnl - r.fees + r.funding;
        this.pnl.set(this.realized);
        return;
      case 'equity':
        this.equity.set(r.equity);
        this.position.set(r.quantity);
        return;
      case 'risk':
        this.risk.inc({ rule: r.event.rule });
        return;
      default:
        return;
    }
  }

  /** The same client, timed: latency and health per model (keeps the synchronous path when it has one). */
  timed(model: ModelClient): ModelClient {
    const { latency, health } = this;
    const name = model.name;
    health.set({ model: name }, 1);
    let last: { healthy: boolean; lastError?: string; latencyMs?: number } = { healthy: true };
    const observe = (started: number, ok: boolean, error?: unknown) => {
      const ms = performance.now() - started;
      latency.observe({ model: name }, ms / 1000);
      health.set({ model: name }, ok ? 1 : 0);
      last = ok ? { healthy: true, latencyMs: ms } : { healthy: false, lastError: (error as Error)?.message?.slice(0, 200) ?? 'failed', latencyMs: ms };
    };
    const wrapped: ModelClient = {
      name,
      async predict(request: ModelRequest): Promise<Prediction> {
        const started = performance.now();
        try {
          const answer = await model.predict(request);
          observe(started, true);
          return answer;
        } catch (error) {
          observe(started, false, error);
          throw error;
        }
      },
      retrain: (outcomes) => model.retrain(outcomes),
    };
    if (model.predictNow) {
      const now = model.predictNow.bind(model);
      wrapped.predictNow = (request) => {
        const started = performance.now();
        const answer = now(request);
        observe(started, true);
        return answer;
      };
    }
    // Health as the control API shows it: the HTTP client's endpoint state when it has one, else the last call's.
    Object.defineProperty(wrapped, 'health', {
      get: () => ({ ...last, ...((model as { endpoint?: object }).endpoint ?? {}) }),
      enumerable: false,
    });
    const closable = model as ModelClient & { close?: () => unknown };
    if (closable.close) (wrapped as ModelClient & { close?: () => unknown }).close = () => closable.close!();
    return wrapped;
  }
}
