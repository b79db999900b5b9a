import type { HeartbeatRecord, JournalRecord, OrderState } from '../../../../engine/index.ts';

// What the live page shows, as the live process's control API (live/README.md "Control API") sends it. Shared by the
// studio server (LiveMonitor) and the page; the studio's live token appears in none of these. What the process sends
// straight from its journal or broker has the engine's own types.

/** A heartbeat as `GET /decisions` and the `heartbeat` event send it: the journal's record without its feature row. */
export type LiveDecision = Omit<HeartbeatRecord, 'type' | 'features'>;

/** A closed trade (`trade` event): the journal's trade record with `net` = pnl − fees + funding added by the studio. */
export type LiveTrade = Omit<Extract<JournalRecord, { type: 'trade' }>, 'type'> & { net: number };

/** A JSON log line of the live process (`GET /logs`, `log` events). */
export interface LiveLogLine {
  ts: string;
  level: string;
  event: string;
  [key: string]: unknown;
}

/** An open order as the broker reports it (`GET /orders`). */
export type LiveOrder = OrderState;

export interface LivePosition {
  symbol: string;
  quantity: number;
  entryPrice: number;
  markPrice: number;
  unrealizedPnl: number;
  leverage: number;
}

/** `GET /status`. */
export interface LiveProcessStatus {
  mode: string;
  runId: string;
  symbol: string;
  startedAt: string;
  lastBarClose: number | null;
  heartbeats: number;
  halted: boolean;
  stopping: boolean;
  equity: number;
  wallet: number;
  position: number;
  openOrders: number;
  reconciled: { action?: string } | null;
  exchange: { usedWeight: number; errors: Record<string, number> } | null;
  journal: string;
}

/** A model as the live process sees it, with its server's own /health when it is an HTTP model server the studio knows. */
export interface LiveModelHealth {
  name: string;
  healthy: boolean;
  lastError?: string;
  /** The last call's latency (ms). */
  latencyMs?: number;
  /** Mean latency over every call since start (Prometheus histogram sum / count), and the number of calls. */
  meanLatencyMs: number | null;
  calls: number | null;
  /** `in-process` (a rule or a model file inside the live process) or the model server's URL. */
  where: string;
  server: {
    status: string;
    uptimeS: number;
    rssBytes: number;
    heapUsedBytes: number;
    latencyMs: { p50: number | null; p90: number | null; p99: number | null };
    model: string | null;
  } | null;
  serverError: string | null;
}

/** Figures from the live process's Prometheus metrics. */
export interface LiveFigures {
  realizedPnl: number | null;
  trades: number | null;
  decisions: Record<string, number>;
  heartbeatMeanMs: number | null;
  exchangeErrors: number | null;
}

/** Whether the studio's stream from the live process is up. */
export interface LiveLink {
  up: boolean;
  url: string;
  /** Since when it is up (or down), Unix ms. */
  since: number;
  error: string | null;
}

export interface LiveSnapshot {
  url: string;
  status: LiveProcessStatus;
  positions: LivePosition[];
  orders: LiveOrder[];
  models: LiveModelHealth[];
  figures: LiveFigures;
  /** The latest decisions, newest last: what the live process still holds plus what the studio saw since it connected. */
  decisions: LiveDecision[];
  /** Equity at every decision the studio holds (more than `decisions`), for the PnL chart. */
  equity: { ts: number[]; equity: number[] };
  trades: LiveTrade[];
  logs: LiveLogLine[];
  /** Since when the studio has been watching (trades before it are not in `trades`; `figures.trades` counts them). */
  watchingSince: number;
}

/** The part of the snapshot that changes with every bar: refreshed by the page after events. */
export type LiveState = Pick<LiveSnapshot, 'status' | 'positions' | 'orders' | 'models' | 'figures'>;
