import type { Store } from '../../data/index.ts';
import { inputError, intervalMs, type Interval } from '../../engine/index.ts';
import { getRun, type StoredRun } from '../journal/storedRuns.ts';
import type { RunMetrics } from '../metrics/computeMetrics.ts';
import { voteAccuracy, type VoteAccuracy } from './voteAccuracy.ts';

/** One point of a bucketed time series: the bucket's last time and value, and its extremes. */
export interface EquityPoint {
  ts: number;
  equity: number;
  low: number;
  high: number;
  /** The deepest drawdown from the running peak inside the bucket (≤ 0). */
  drawdown: number;
  /** Journal rows in the bucket. */
  rows: number;
}

export interface BenchmarkPoint {
  ts: number;
  /** The start equity held in the symbol from the first base open: startEquity · close / firstOpen. */
  equity: number;
  drawdown: number;
}

export interface MonthlyReturn {
  /** UTC year and month (1–12). */
  year: number;
  month: number;
  /** Equity at the end of the month (its last journaled value) over the end of the month before (the start equity for the first). */
  value: number;
  endEquity: number;
}

export interface TradeRow {
  side: 'long' | 'short';
  entryTs: number;
  exitTs: number;
  entryPrice: number;
  exitPrice: number;
  quantity: number;
  pnl: number;
  fees: number;
  funding: number;
  /** pnl − fees + funding, as the metrics count it. */
  net: number;
  exitReason: string;
}

export interface TradeGroup {
  side: string;
  exitReason: string;
  trades: number;
  wins: number;
  net: number;
  mean: number;
  best: number;
  worst: number;
}

export interface RiskEventRow {
  ts: number;
  rule: string;
  effect: string;
  reason: string;
  until: number | null;
}

export interface RiskRuleSummary {
  rule: string;
  effect: string;
  count: number;
  first: number;
  last: number;
}

/** Everything the run report shows, read from the store with SQL aggregation (never a record-by-record read-back). */
export interface RunReportData {
  run: StoredRun;
  metrics: RunMetrics;
  barMs: number;
  /** Width of the buckets the equity was condensed to (a multiple of the decision bar). */
  bucketMs: number;
  /** Journal rows of the equity curve (heartbeats and end-of-run marks). */
  equityRows: number;
  equity: EquityPoint[];
  benchmark: BenchmarkPoint[];
  /** Where the buy-and-hold reference price came from. */
  benchmarkBase: { price: number; source: 'first base open' | 'first decision close' } | null;
  monthly: MonthlyReturn[];
  trades: TradeRow[];
  tradeGroups: TradeGroup[];
  votes: VoteAccuracy;
  riskRules: RiskRuleSummary[];
  riskEvents: RiskEventRow[];
  riskEventsTotal: number;
}

export interface RunReportOptions {
  /** Most points per chart series (default 1,200). */
  maxPoints?: number;
  /** Decision bars ahead for the forward-move vote accuracy (default 1). */
  horizon?: number;
  /** Risk events listed one by one (default 200; all are counted). */
  maxRiskEvents?: number;
}

/**
 * Read a finished run for its report. A run that is still running (or whose process died before it finished) or
 * that failed has no metrics: that is an input error naming the run's state, not an empty report.
 */
export async function loadRunReport(store: Store, runId: string, options: RunReportOptions = {}): Promise<RunReportData> {
  const run = await getRun(store, runId);
  if (run.status !== 'complete' || run.metrics === null) {
    const why =
      run.status === 'failed'
        ? `failed${run.message ? `: ${run.message}` : ''}`
        : 'is still running (or its process stopped before it finished)';
    throw inputError(run.status === 'failed' ? 'RUN_FAILED' : 'RUN_NOT_FINISHED', `run ${runId} ${why}; it has no metrics to report (${run.records ?? 0} records journaled)`, {
      where: 'RUN',
      hint: run.status === 'failed' ? 'fix the cause and replay again; `xylen runs ls` lists the complete runs' : 'wait for it to finish, or pick a complete run from `xylen runs ls`',
    });
  }
  const metrics = run.metrics;
  const barMs = metrics.annualisation.barMs || intervalMs(run.manifest.data.decisionInterval as Interval);
  const start = metrics.start ?? run.manifest.data.from;
  const end = metrics.end ?? run.manifest.data.to;
  const maxPoints = options.maxPoints ?? 1200;
  const bucketMs = Math.max(1, Math.ceil((end - start) / maxPoints / barMs)) * barMs;
  const q = (sql: string, params: unknown[] = []) => store.all(sql, [runId, ...params] as never);

  const equityRows = await q(
    `WITH e AS (
       SELECT seq, ts, equity, max(equity) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS peak
       FROM equity WHERE run_id = $1
     )
     SELECT floor((ts - $2) / $3) AS bucket, max(ts)::DOUBLE AS ts, arg_max(equity, seq) AS equity, min(equity) AS low, max(equity) AS high,
       min(CASE WHEN peak > 0 THEN equity / peak - 1 ELSE 0 END) AS drawdown, count(*)::DOUBLE AS rows
     FROM e GROUP BY bucket ORDER BY bucket`,
    [start, bucketMs],
  );
  const equity = equityRows.map((r) => ({
    ts: Number(r['ts']),
    equity: Number(r['equity']),
    low: Number(r['low']),
    high: Number(r['high']),
    drawdown: Math.min(0, Number(r['drawdown'])),
    rows: Number(r['rows']),
  }));

  const benchmarkBase = await firstBaseOpen(store, run);
  const startEquity = metrics.startEquity ?? equity[0]?.equity ?? 0;
  const closes = await q(
    `SELECT floor((ts - $2) / $3) AS bucket, max(ts)::DOUBLE AS ts, arg_max(close, seq) AS close,
       min(close / greatest(peak, $4) - 1) AS drawdown
     FROM (SELECT seq, ts, close, max(close) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS peak
           FROM heartbeats WHERE run_id = $1 AND isfinite(close))
     GROUP BY bucket ORDER BY bucket`,
    [start, bucketMs, benchmarkBase?.price ?? 0],
  );
  const base = benchmarkBase ?? (closes.length > 0 ? { price: Number(closes[0]!['close']), source: 'first decision close' as const } : null);
  const benchmark: BenchmarkPoint[] = base
    ? closes.map((r) => ({ ts: Number(r['ts']), equity: (startEquity * Number(r['close'])) / base.price, drawdown: Math.min(0, Number(r['drawdown'])) }))
    : [];
  // The buy-and-hold metric runs to the last base close; end the line there so that it ends where the metric says.
  if (base && metrics.buyAndHoldReturn !== null && metrics.end !== null && benchmark.length > 0 && benchmark.at(-1)!.ts < metrics.end) {
    benchmark.push({ ts: metrics.end, equity: startEquity * (1 + metrics.buyAndHoldReturn), drawdown: benchmark.at(-1)!.drawdown });
  }

  const months = await q(
    `SELECT year(m)::INTEGER AS year, month(m)::INTEGER AS month, end_equity FROM (
       SELECT date_trunc('month', make_timestamp((ts - 1) * 1000)) AS m, arg_max(equity, seq) AS end_equity FROM equity WHERE run_id = $1 GROUP BY m
     ) ORDER BY year, month`,
  );
  let previous = startEquity;
  const monthly = months.map((r) => {
    const endEquity = Number(r['end_equity']);
    const value = previous > 0 ? endEquity / previous - 1 : 0;
    previous = endEquity;
    return { year: Number(r['year']), month: Number(r['month']), value, endEquity };
  });

  const trades = (
    await q(
      `SELECT side, entry_ts::DOUBLE AS entry_ts, ts::DOUBLE AS exit_ts, entry_price, exit_price, quantity, pnl, fees, funding,
         pnl - fees + funding AS net, exit_reason FROM trades WHERE run_id = $1 ORDER BY seq`,
    )
  ).map(
    (r): TradeRow => ({
      side: r['side'] as 'long' | 'short',
      entryTs: Number(r['entry_ts']),
      exitTs: Number(r['exit_ts']),
      entryPrice: Number(r['entry_price']),
      exitPrice: Number(r['exit_price']),
      quantity: Number(r['quantity']),
      pnl: Number(r['pnl']),
      fees: Number(r['fees']),
      funding: Number(r['funding']),
      net: Number(r['net']),
      exitReason: String(r['exit_reason']),
    }),
  );
  const tradeGroups = (
    await q(
      `SELECT side, exit_reason, count(*)::DOUBLE AS trades, count(*) FILTER (WHERE pnl - fees + funding > 0)::DOUBLE AS wins,
         sum(pnl - fees + funding) AS net, avg(pnl - fees + funding) AS mean, max(pnl - fees + funding) AS best, min(pnl - fees + funding) AS worst
       FROM trades WHERE run_id = $1 GROUP BY ALL ORDER BY side, exit_reason`,
    )
  ).map((r) => ({
    side: String(r['side']),
    exitReason: String(r['exit_reason']),
    trades: Number(r['trades']),
    wins: Number(r['wins']),
    net: Number(r['net']),
    mean: Number(r['mean']),
    best: Number(r['best']),
    worst: Number(r['worst']),
  }));

  const riskRules = await riskRuleSummary(store, runId);
  const riskEvents = (
    await q(`SELECT event_ts::DOUBLE AS ts, rule, effect, reason, until::DOUBLE AS until FROM risk_events WHERE run_id = $1 ORDER BY seq LIMIT ${Math.max(0, Math.floor(options.maxRiskEvents ?? 200))}`)
  ).map((r) => ({ ts: Number(r['ts']), rule: String(r['rule']), effect: String(r['effect']), reason: String(r['reason']), until: r['until'] === null ? null : Number(r['until']) }));

  return {
    run,
    metrics,
    barMs,
    bucketMs,
    equityRows: equity.reduce((n, p) => n + p.rows, 0),
    equity,
    benchmark,
    benchmarkBase: base,
    monthly,
    trades,
    tradeGroups,
    votes: await voteAccuracy(store, runId, options.horizon ?? 1),
    riskRules,
    riskEvents,
    riskEventsTotal: riskRules.reduce((n, r) => n + r.count, 0),
  };
}

/** The open of the first base candle of the run's range: the price the buy-and-hold metric starts from. */
async function firstBaseOpen(store: Store, run: StoredRun): Promise<{ price: number; source: 'first base open' } | null> {
  const { market, symbol, baseInterval, from, to } = run.manifest.data;
  const rows = await store.all(
    `SELECT open FROM candles WHERE market = $1 AND symbol = $2 AND interval = $3 AND open_time >= $4 AND open_time < $5 ORDER BY open_time LIMIT 1`,
    [market, symbol, baseInterval, from, to] as never,
  );
  const price = Number(rows[0]?.['open']);
  return Number.isFinite(price) && price > 0 ? { price, source: 'first base open' } : null;
}

/** Each risk rule that fired in a run: its effect (the first time), how often, and when first and last, in order of first firing. */
export async function riskRuleSummary(store: Store, runId: string): Promise<RiskRuleSummary[]> {
  const rows = await store.all(
    `SELECT rule, any_value(effect ORDER BY seq) AS effect, count(*)::DOUBLE AS n, min(event_ts)::DOUBLE AS first, max(event_ts)::DOUBLE AS last
     FROM risk_events WHERE run_id = $1 GROUP BY rule ORDER BY first`,
    [runId],
  );
  return rows.map((r) => ({ rule: String(r['rule']), effect: String(r['effect']), count: Number(r['n']), first: Number(r['first']), last: Number(r['last']) }));
}
