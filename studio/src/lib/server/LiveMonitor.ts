import { ErrorKind, XylenError } from '../../../../engine/index.ts';
import { parsePrometheusText, type PrometheusSample } from './prometheusText.ts';
import type { LiveDecision, LiveFigures, LiveLink, LiveLogLine, LiveModelHealth, LiveOrder, LivePosition, LiveProcessStatus, LiveSnapshot, LiveState, LiveTrade } from './liveTypes.ts';

export interface LiveMonitorOptions {
  url: string;
  /** Bearer token for the live process's state-changing routes (XYLEN_LIVE_TOKEN); never sent to a browser. */
  token: string | undefined;
  /** HTTP model servers by model name (from the studio's config): their own /health gives uptime and memory. */
  modelServers?: Record<string, string>;
  /** Wait between reconnection attempts (ms). */
  retryMs?: number;
  /** Per-request timeout against the live process and model servers (ms). */
  timeoutMs?: number;
}

/** What the page's stream carries: the link's state, and the live process's records as they happen. */
export type LiveEvent =
  | { event: 'link'; data: LiveLink }
  | { event: 'decision'; data: LiveDecision }
  | { event: 'trade'; data: LiveTrade }
  | { event: 'log'; data: LiveLogLine }
  /** An order, fill, funding or risk record: the page re-reads the state (position, orders, equity). */
  | { event: 'record'; data: { type: string; ts: number | null } };

const KEEP = { decisions: 2000, trades: 500, logs: 1000, shownDecisions: 60 };

/**
 * The studio's window on a live process (live/README.md, "Control API"). It keeps one Server-Sent Events connection
 * to the process's `GET /events` for as long as the studio runs — reconnecting every `retryMs` while the process is
 * down — and fans the records out to every open live page, so browsers never talk to the live process (nor hold its
 * token). Decisions, trades and log lines are merged with what the process's REST routes still hold (GET /trades has every
 * trade the run closed), so a page shows what happened before the studio connected too.
 */
export class LiveMonitor {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly modelServers: Record<string, string>;
  private readonly retryMs: number;
  private readonly timeoutMs: number;
  private started = false;
  private closed = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private readonly subscribers = new Set<(event: LiveEvent) => void>();
  private current: LiveLink;
  private readonly decisions: LiveDecision[] = [];
  private readonly decisionTimes = new Set<number>();
  private readonly trades: LiveTrade[] = [];
  private readonly logs: LiveLogLine[] = [];
  private readonly logKeys = new Set<string>();
  private watchingSince = 0;
  private runId: string | null = null;

  constructor(options: LiveMonitorOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token || undefined;
    this.modelServers = options.modelServers ?? {};
    this.retryMs = options.retryMs ?? 2000;
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.current = { up: false, url: this.url, since: Date.now(), error: 'not connected yet' };
  }

  /** Whether the studio holds a token for the live process's emergency stop. */
  get canStop(): boolean {
    return this.token !== undefined;
  }

  get link(): LiveLink {
    return { ...this.current };
  }

  /** Connect (once); the connection then lives until `close`. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.loop();
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.start();
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /**
   * Everything the live page shows, read now from the control API (status, positions, orders, models, metrics, the
   * latest decisions and logs) and merged with what the stream brought. A process that does not answer `/status` is
   * down: LIVE_DOWN.
   */
  async snapshot(): Promise<LiveSnapshot> {
    this.start();
    const [state, decisions, trades, logs] = await Promise.all([
      this.state(),
      this.get<LiveDecision[]>('/decisions?limit=500').catch(() => []),
      this.get<Omit<LiveTrade, 'net'>[]>(`/trades?limit=${KEEP.trades}`).catch(() => []),
      this.get<LiveLogLine[]>('/logs?limit=500').catch(() => []),
    ]);
    for (const d of decisions) this.addDecision(d);
    for (const t of trades) this.addTrade(t);
    for (const line of logs) this.addLog(line);
    if (this.watchingSince === 0) this.watchingSince = Date.now();
    const equity = { ts: this.decisions.map((d) => d.ts), equity: this.decisions.map((d) => d.equity) };
    return {
      url: this.url,
      ...state,
      decisions: this.decisions.slice(-KEEP.shownDecisions),
      equity,
      trades: [...this.trades],
      logs: [...this.logs],
      watchingSince: this.watchingSince,
    };
  }

  /** Status, position, orders, model health and figures: what changes at every bar. */
  async state(): Promise<LiveState> {
    let status: LiveProcessStatus;
    try {
      status = await this.get<LiveProcessStatus>('/status');
    } catch (error) {
      throw liveDown(this.url, error);
    }
    this.noteRun(status.runId);
    const [positions, orders, models, metrics] = await Promise.all([
      this.get<LivePosition[]>('/positions').catch(() => []),
      this.get<LiveOrder[]>('/orders').catch(() => []),
      this.get<{ name: string; healthy: boolean; lastError?: string; latencyMs?: number }[]>('/models').catch(() => []),
      this.text('/metrics')
        .then(parsePrometheusText)
        .catch((): PrometheusSample[] => []),
    ]);
    return { status, positions, orders, models: await this.modelHealth(models, metrics), figures: figuresOf(metrics) };
  }

  /**
   * `POST /emergency-stop` with the studio's live token: the process cancels every order, flattens and stops. The
   * answer is the process's own (`{stopped, flattened}`); a refusal names its cause, never the token.
   */
  async emergencyStop(): Promise<{ stopped: boolean; flattened: boolean }> {
    if (!this.token) {
      throw new XylenError(ErrorKind.input, 'LIVE_TOKEN_MISSING', 'the studio holds no token for the live process, so it cannot stop it', {
        hint: 'start the studio with XYLEN_LIVE_TOKEN set to the live process’s token (its live.control_token_env), or run `xylen live emergency-stop` where the token is',
      });
    }
    let response: Response;
    try {
      response = await fetch(`${this.url}/emergency-stop`, { method: 'POST', headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw liveDown(this.url, error);
    }
    const body = (await response.json().catch(() => null)) as { stopped?: boolean; flattened?: boolean; message?: string } | null;
    if (response.status === 401) {
      throw new XylenError(ErrorKind.input, 'LIVE_TOKEN_REFUSED', 'the live process refused the studio’s token', {
        hint: 'XYLEN_LIVE_TOKEN of the studio differs from the live process’s; restart the studio with the same token',
      });
    }
    if (response.status === 503) {
      throw new XylenError(ErrorKind.operational, 'LIVE_CONTROL_DISABLED', body?.message ?? 'the live process has no control token, so it accepts no stop over HTTP', {
        hint: 'stop it where it runs (Ctrl-C leaves orders on the exchange; `xylen live emergency-stop` needs the token too)',
      });
    }
    if (!response.ok || body?.stopped !== true) {
      throw new XylenError(ErrorKind.operational, 'LIVE_STOP_FAILED', `the live process answered HTTP ${response.status} to the emergency stop`, { hint: 'check its log; `xylen live status`' });
    }
    return { stopped: true, flattened: body.flattened === true };
  }

  /**
   * What the studio holds that is newer than what a page has: decisions and trades after the given market times, log
   * lines after the given time (ISO). A page's stream starts with these, so nothing between its load and its stream
   * is lost.
   */
  since(after: { decision?: number; trade?: number; log?: string }): LiveEvent[] {
    const events: LiveEvent[] = [];
    if (after.decision !== undefined) for (const d of this.decisions) if (d.ts > after.decision) events.push({ event: 'decision', data: d });
    if (after.trade !== undefined) for (const t of this.trades) if (t.ts > after.trade) events.push({ event: 'trade', data: t });
    if (after.log !== undefined) for (const l of this.logs) if (String(l.ts) > after.log) events.push({ event: 'log', data: l });
    return events;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort?.abort();
    this.wake?.();
    this.subscribers.clear();
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const controller = new AbortController();
      this.abort = controller;
      try {
        // Something that accepts the connection but never answers must not hold the loop: headers within 5 s.
        const headersDue = setTimeout(() => controller.abort(new Error('GET /events: no answer in time')), 5000);
        let response: Response;
        try {
          response = await fetch(`${this.url}/events`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
        } finally {
          clearTimeout(headersDue);
        }
        if (!response.ok || !response.body) throw new Error(`GET /events answered HTTP ${response.status}`);
        this.setLink(true, null);
        // What happened before this connection: the decisions and log lines the process still holds.
        void this.snapshot().catch(() => undefined);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            this.onFrame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
        throw new Error('the live process closed its event stream');
      } catch (error) {
        if (this.closed) return;
        this.setLink(false, describeError(error));
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.retryMs);
        timer.unref?.();
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private onFrame(frame: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(data.join('\n')) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (event) {
      case 'heartbeat':
      case 'decision': {
        const decision = record as unknown as LiveDecision;
        if (this.addDecision(decision)) this.emit({ event: 'decision', data: decision });
        return;
      }
      case 'trade': {
        const trade = this.addTrade(record as unknown as Omit<LiveTrade, 'net'>);
        if (!trade) return;
        this.emit({ event: 'trade', data: trade });
        this.emit({ event: 'record', data: { type: 'trade', ts: trade.ts } });
        return;
      }
      case 'log': {
        const line = record as LiveLogLine;
        if (this.addLog(line)) this.emit({ event: 'log', data: line });
        return;
      }
      default:
        this.emit({ event: 'record', data: { type: event, ts: typeof record['ts'] === 'number' ? record['ts'] : null } });
    }
  }

  /** A new run id means a new process (a restart): what the studio held belonged to the old one. */
  private noteRun(runId: string): void {
    if (this.runId !== null && this.runId !== runId) {
      this.decisions.length = 0;
      this.decisionTimes.clear();
      this.trades.length = 0;
      this.watchingSince = Date.now();
    }
    this.runId = runId;
  }

  /** A trade, once (the REST route and the stream may both bring it), in time order; undefined when already held. */
  private addTrade(t: Omit<LiveTrade, 'net'>): LiveTrade | undefined {
    if (this.trades.some((x) => x.ts === t.ts && x.entryTs === t.entryTs)) return undefined;
    const trade: LiveTrade = { ...t, net: t.pnl - t.fees + t.funding };
    let at = this.trades.length;
    while (at > 0 && this.trades[at - 1]!.ts > trade.ts) at--;
    this.trades.splice(at, 0, trade);
    if (this.trades.length > KEEP.trades) this.trades.shift();
    return trade;
  }

  private addDecision(decision: LiveDecision): boolean {
    if (this.decisionTimes.has(decision.ts)) return false;
    this.decisionTimes.add(decision.ts);
    // Decisions arrive in time order from either source; a REST batch may hold older ones than the stream brought.
    let at = this.decisions.length;
    while (at > 0 && this.decisions[at - 1]!.ts > decision.ts) at--;
    this.decisions.splice(at, 0, decision);
    if (this.decisions.length > KEEP.decisions) this.decisionTimes.delete(this.decisions.shift()!.ts);
    return true;
  }

  private addLog(line: LiveLogLine): boolean {
    const key = JSON.stringify(line);
    if (this.logKeys.has(key)) return false;
    this.logKeys.add(key);
    // In time order (ISO times sort as text): lines the REST route still held may be older than streamed ones.
    let at = this.logs.length;
    while (at > 0 && String(this.logs[at - 1]!.ts) > String(line.ts)) at--;
    this.logs.splice(at, 0, line);
    if (this.logs.length > KEEP.logs) this.logKeys.delete(JSON.stringify(this.logs.shift()));
    return true;
  }

  private setLink(up: boolean, error: string | null): void {
    if (this.current.up === up && this.current.error === error) return;
    if (up) this.watchingSince ||= Date.now();
    this.current = { up, url: this.url, since: Date.now(), error };
    this.emit({ event: 'link', data: this.link });
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.subscribers) {
      try {
        listener(event);
      } catch {
        // a page that went away mid-write is dropped by its own stream
      }
    }
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`GET ${path} answered HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  private async text(path: string): Promise<string> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`GET ${path} answered HTTP ${response.status}`);
    return response.text();
  }

  private async modelHealth(models: { name: string; healthy: boolean; lastError?: string; latencyMs?: number }[], metrics: PrometheusSample[]): Promise<LiveModelHealth[]> {
    const sum = (name: string, model: string) => metrics.find((s) => s.name === name && s.labels['model'] === model)?.value ?? null;
    return Promise.all(
      models.map(async (m): Promise<LiveModelHealth> => {
        const seconds = sum('xylen_model_latency_seconds_sum', m.name);
        const calls = sum('xylen_model_latency_seconds_count', m.name);
        const endpoint = this.modelServers[m.name];
        const base: LiveModelHealth = {
          name: m.name,
          healthy: m.healthy,
          ...(m.lastError ? { lastError: m.lastError } : {}),
          ...(typeof m.latencyMs === 'number' ? { latencyMs: m.latencyMs } : {}),
          meanLatencyMs: seconds !== null && calls ? (seconds / calls) * 1000 : null,
          calls,
          where: endpoint ?? 'in-process',
          server: null,
          serverError: null,
        };
        if (!endpoint) return base;
        try {
          const response = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(this.timeoutMs) });
          const h = (await response.json()) as {
            status: string;
            uptimeS: number;
            memory: { rss: number; heapUsed: number };
            latencyMs?: { p50?: number | null; p90?: number | null; p99?: number | null };
            model?: { id?: string; version?: number };
          };
          return {
            ...base,
            server: {
              status: h.status,
              uptimeS: h.uptimeS,
              rssBytes: h.memory.rss,
              heapUsedBytes: h.memory.heapUsed,
              latencyMs: { p50: h.latencyMs?.p50 ?? null, p90: h.latencyMs?.p90 ?? null, p99: h.latencyMs?.p99 ?? null },
              model: h.model?.id ? `${h.model.id}${h.model.version === undefined ? '' : ` v${h.model.version}`}` : null,
            },
          };
        } catch (error) {
          return { ...base, serverError: describeError(error) };
        }
      }),
    );
  }
}

function figuresOf(metrics: PrometheusSample[]): LiveFigures {
  const one = (name: string) => metrics.find((s) => s.name === name)?.value ?? null;
  const decisions: Record<string, number> = {};
  for (const s of metrics) if (s.name === 'xylen_decisions_total' && s.labels['outcome']) decisions[s.labels['outcome']] = s.value;
  const beatSum = one('xylen_heartbeat_seconds_sum');
  const beatCount = one('xylen_heartbeat_seconds_count');
  const errors = metrics.filter((s) => s.name === 'xylen_exchange_errors_total');
  return {
    realizedPnl: one('xylen_realized_pnl_usdt'),
    trades: one('xylen_trades_total'),
    decisions,
    heartbeatMeanMs: beatSum !== null && beatCount ? (beatSum / beatCount) * 1000 : null,
    exchangeErrors: errors.length > 0 ? errors.reduce((n, s) => n + s.value, 0) : null,
  };
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  if (cause) return cause;
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  return error instanceof Error ? error.message : String(error);
}

function liveDown(url: string, error: unknown): XylenError {
  return new XylenError(ErrorKind.operational, 'LIVE_DOWN', `no live process answers at ${url} (${describeError(error)})`, {
    hint: 'start one with `xylen live`, or point the studio at it with --live-url / XYLEN_LIVE_URL',
  });
}
