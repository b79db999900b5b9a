import { maskSecrets, type XylenConfig } from '../config/index.ts';
import { intervalMs, type Interval, type JournalRecord, type OrderRequest } from '../engine/index.ts';
import { Alerts } from './Alerts.ts';
import { startControlApi, type ControlApi } from './ControlApi.ts';
import { createLiveSession, type LiveSession } from './createLiveSession.ts';
import { LiveMetrics } from './LiveMetrics.ts';
import { loadPromotedConfig } from './promotion/loadPromotedConfig.ts';

export interface LiveProcessOptions {
  storePath: string;
  mainnet?: boolean;
  /** Address the control API binds [127.0.0.1]; 0.0.0.0 in a container, published on the host's loopback. */
  controlHost?: string;
  /** One JSON log line (stdout in the CLI). */
  print: (line: string) => void;
}

export interface LiveProcess {
  session: LiveSession;
  control: ControlApi;
  metrics: LiveMetrics;
  alerts: Alerts;
  /** Resolves when the process has stopped (stop, emergency stop, or a fatal error). */
  done: Promise<void>;
  stop(flatten: boolean): Promise<{ stopped: true; flattened: boolean }>;
  emergencyStop(): Promise<{ stopped: true; flattened: boolean }>;
}

const RECENT = 500;

/**
 * `xylen live` as a process: the session (feed, broker, coordinator, journal) plus what operating it needs — JSON
 * logs, Prometheus metrics, alerts, the control API with its SSE channel, and orderly or emergency stops. Keys never
 * reach any of these outputs: the config is masked in the manifest, exchange errors are logged by code and message,
 * and the alert token lives only in the Bot API URL.
 */
export async function startLiveProcess(fileConfig: XylenConfig, options: LiveProcessOptions): Promise<LiveProcess> {
  // A promotion accepted earlier (live-<name>.promoted.json) overrides the file's models, ensemble, sizing and risk.
  const { config, promotion, path: promotedPath } = await loadPromotedConfig(fileConfig, options.storePath);
  const logs: Record<string, unknown>[] = [];
  /** Recent records as the control API shows them (heartbeats without their features). */
  const recent: (Exclude<JournalRecord, { type: 'heartbeat' }> | (Omit<Extract<JournalRecord, { type: 'heartbeat' }>, 'features'>))[] = [];
  let control: ControlApi | undefined;
  const metrics = new LiveMetrics();
  const log = (event: string, detail: Record<string, unknown>, level: 'info' | 'warn' | 'error' = 'info') => {
    const line = { ts: new Date().toISOString(), level, event, ...detail };
    logs.push(line);
    if (logs.length > RECENT) logs.shift();
    options.print(JSON.stringify(line));
    control?.push('log', line);
    if (event === 'exchange_error') metrics.exchangeErrors.inc({ action: String(detail['action']) });
  };
  const alerts = new Alerts({
    telegramToken: config.alerts.telegram_token,
    telegramChatId: config.alerts.telegram_chat_id,
    telegramApiUrl: config.alerts.telegram_api_url,
    webhookUrl: config.alerts.webhook_url,
    minIntervalMs: config.alerts.min_interval_ms,
    log: (event, detail) => log(event, detail, 'warn'),
  });
  const onRecord = (r: JournalRecord) => {
    metrics.onRecord(r);
    if (r.type !== 'equity') {
      // Heartbeats go out without their feature row: the decision, votes and account are what the monitor shows.
      const shown = r.type === 'heartbeat' ? withoutFeatures(r) : r;
      recent.push(shown);
      if (recent.length > RECENT * 4) recent.splice(0, recent.length - RECENT * 4);
      control?.push(r.type, shown);
    }
    if (r.type === 'trade') {
      const net = r.pnl - r.fees + r.funding;
      alerts.send({ level: 'info', title: `Trade closed: ${r.side} ${r.quantity} ${config.symbol}`, text: `${r.entryPrice} → ${r.exitPrice} (${r.exitReason}), net ${net.toFixed(2)} USDT` });
    } else if (r.type === 'risk') {
      alerts.send({ level: r.event.effect === 'HALTED' ? 'critical' : 'warning', title: `Risk: ${r.event.rule}`, text: r.event.reason });
    } else if (r.type === 'order' && r.order.status === 'REJECTED') {
      alerts.send({ level: 'warning', title: `Order rejected: ${r.order.clientOrderId}`, text: r.note ?? '' });
    } else if (r.type === 'config') {
      alerts.send({ level: 'warning', title: `Config promoted: run ${r.sourceRunId}`, text: `${r.promotionId} by ${r.promotedBy}, applied at the heartbeat closing ${new Date(r.ts).toISOString()}` });
    } else if (r.type === 'fill') {
      alerts.send({ level: 'info', title: `Fill: ${r.fill.side === 1 ? 'buy' : 'sell'} ${r.fill.quantity} @ ${r.fill.price}`, text: `${r.fill.clientOrderId} (${r.fill.reason})` });
    }
  };

  const session = await createLiveSession(config, {
    storePath: options.storePath,
    ...(options.mainnet ? { mainnet: true } : {}),
    log,
    tap: onRecord,
    wrapModel: (m) => metrics.timed(m),
    ...(promotion ? { promotion } : {}),
    promotedConfigPath: promotedPath,
  });
  if (promotion) log('promotion_loaded', { ...promotion, file: promotedPath });
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let stopping: Promise<{ stopped: true; flattened: boolean }> | undefined;
  const started = Date.now();

  const flatten = async () => {
    const { broker, exchangeBroker } = session;
    if (exchangeBroker) await exchangeBroker.cancelEverything();
    else await broker.cancelAll();
    const snap = broker.snapshot();
    if (snap.quantity === 0) return;
    const close: OrderRequest = { clientOrderId: `xy-stop-${Date.now()}`, side: snap.quantity > 0 ? -1 : 1, type: 'MARKET', quantity: Math.abs(snap.quantity), reduceOnly: true };
    const result = await broker.submit(close);
    log('flatten', { quantity: snap.quantity, status: result.status });
  };
  const stop = (doFlatten: boolean, reason: string) => {
    stopping ??= (async () => {
      log('stopping', { reason, flatten: doFlatten });
      session.runner.stopped = true;
      let flattened = false;
      try {
        if (doFlatten) {
          await flatten();
          flattened = true;
        }
      } catch (error) {
        log('flatten_failed', { message: (error as Error).message.slice(0, 200) }, 'error');
      }
      alerts.send({ level: reason === 'emergency-stop' ? 'critical' : 'warning', title: `Xylen live stopped (${reason})`, text: flattened ? 'orders cancelled and position flattened' : 'orders and position left as they are' });
      await alerts.flush();
      await session.close();
      // The control API answers this very stop request first, then closes.
      setTimeout(() => void control?.close().finally(finished), 100);
      return { stopped: true as const, flattened };
    })();
    return stopping;
  };

  const tokenEnv = config.live.control_token_env;
  control = await startControlApi(
    {
      token: process.env[tokenEnv] || undefined,
      tokenEnv,
      status: () => {
        const snap = session.broker.snapshot();
        return {
          mode: session.mode,
          runId: session.runId,
          symbol: config.symbol,
          startedAt: new Date(started).toISOString(),
          lastBarClose: session.runner.lastBarClose,
          heartbeats: session.runner.heartbeatMs.length,
          halted: session.coordinator.isHalted,
          stopping: stopping !== undefined,
          equity: snap.equity,
          wallet: snap.wallet,
          position: snap.quantity,
          openOrders: snap.openOrders.length,
          reconciled: session.reconciled ?? null,
          exchange: session.exchangeBroker ? { usedWeight: session.exchangeBroker.usedWeight, errors: session.exchangeBroker.errorCounts } : null,
          journal: session.journalPath,
          promotion: session.promoter.promotion,
          pendingPromotion: session.promoter.pending,
        };
      },
      positions: () => {
        const s = session.broker.snapshot();
        return s.quantity === 0 ? [] : [{ symbol: config.symbol, quantity: s.quantity, entryPrice: s.entryPrice, markPrice: s.markPrice, unrealizedPnl: s.unrealizedPnl, leverage: s.leverage }];
      },
      orders: () => session.broker.snapshot().openOrders,
      decisions: (limit) => {
        return recent.filter((r) => r.type === 'heartbeat').slice(-limit);
      },
      trades: (limit) => session.trades().slice(-limit),
      models: () => session.models.map((m) => ({ name: m.name, ...((m as { health?: object }).health ?? { healthy: true }) })),
      logs: (limit) => logs.slice(-limit),
      metrics: async () => {
        if (session.exchangeBroker) metrics.weight.set(session.exchangeBroker.usedWeight);
        return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
      },
      stop: (f) => stop(f, 'stop'),
      emergencyStop: () => stop(true, 'emergency-stop'),
      health: () => {
        // Stale: no bar handled for three base intervals and a minute (the feed is stuck or the exchange is gone).
        const last = session.runner.lastHandledAt;
        const limit = 3 * intervalMs(config.intervals.base as Interval) + 60_000;
        const stale = Number.isFinite(last) && Date.now() - last > limit;
        const status = stopping ? 'stopping' : stale ? 'stale' : 'ok';
        return { ok: status === 'ok', status, mode: session.mode, lastBarClose: session.runner.lastBarClose, sinceLastBarMs: Number.isFinite(last) ? Date.now() - last : null, halted: session.coordinator.isHalted };
      },
      config: () => ({ config: maskSecrets(session.config), promotion: session.promoter.promotion, pending: session.promoter.pending, kept: promotedPath }),
      promote: (body) => session.promoter.submit(body),
    },
    { host: options.controlHost ?? '127.0.0.1', port: config.live.control_port },
  );
  log('control_api', { url: control.url, stateChanges: process.env[tokenEnv] ? 'token required' : `disabled (set ${tokenEnv})` });
  try {
    await session.start();
  } catch (error) {
    await stop(false, 'start-failed');
    throw error;
  }
  alerts.send({ level: 'info', title: `Xylen live started (${session.mode})`, text: `${config.symbol}, ${session.models.length} models, reconcile: ${session.reconciled?.action ?? 'n/a'}` });
  session.runner.onHeartbeatTimed.push((ms) => metrics.heartbeat.observe(ms / 1000));
  return { session, control, metrics, alerts, done, stop: (f) => stop(f, 'stop'), emergencyStop: () => stop(true, 'emergency-stop') };
}

function withoutFeatures(beat: Extract<JournalRecord, { type: 'heartbeat' }>): Omit<Extract<JournalRecord, { type: 'heartbeat' }>, 'features'> {
  const { features: _features, ...rest } = beat;
  return rest;
}
