import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACTIONS, ErrorKind, inputError, operationalError, XylenError, type Action, type ModelClient, type ModelRequest, type Prediction, type TradeOutcome } from '../../engine/index.ts';
import { DeadlineError, httpRequest, type HttpAnswer } from './httpRequest.ts';

export interface HttpModelClientOptions {
  /** Base URL of the model server, e.g. `http://127.0.0.1:8001`. */
  url: string;
  /** Name in votes and the journal; default: the URL's host:port. */
  name?: string;
  /** Bearer token (from an environment variable). */
  token?: string;
  /** Deadline of one call, retries included; default 5 s. */
  timeoutMs?: number;
  /** Retries after a connection error or a 5xx (never after a 4xx); default 2. */
  retries?: number;
  /** First retry delay, doubled each time; default 25 ms. */
  backoffMs?: number;
  /** Health check period while healthy; default 300 s. */
  healthIntervalMs?: number;
  /** Health check period while unhealthy, so that a restarted server is re-admitted soon; default 5 s. */
  recheckMs?: number;
  /** Most requests in flight to this server at once (the keep-alive pool's size); default 8. */
  maxConcurrency?: number;
}

export interface EndpointState {
  healthy: boolean;
  /** Why it was last marked unhealthy. */
  lastError?: string;
}

// Features sent per decision time, so that an outcome can go back with the row it was predicted from.
const REMEMBERED_ROWS = 10_000;

/**
 * A model server as the coordinator's ModelClient. An endpoint that fails (unreachable, 5xx after retries, past its
 * deadline, garbage) is marked unhealthy: its predict then rejects at once, so the coordinator leaves it out without
 * waiting, until a health check (/health answering 200) re-admits it. A 4xx is the request's fault: it rejects with
 * the server's error code and leaves the endpoint healthy. Timers are unref'd: a client never keeps a process alive.
 */
export class HttpModelClient implements ModelClient {
  readonly name: string;
  private readonly base: URL;
  private readonly urls: Record<'/predict' | '/retrain' | '/health', URL>;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly healthIntervalMs: number;
  private readonly recheckMs: number;
  private state: EndpointState = { healthy: true };
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly sent = new Map<number, Record<string, number | null>>();

  constructor(options: HttpModelClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:') {
      throw inputError('MODEL_ENDPOINT_INVALID', `model endpoint "${options.url}" is not an http:// URL`, { where: options.url, hint: 'e.g. http://127.0.0.1:8001' });
    }
    this.name = options.name ?? this.base.host;
    this.urls = { '/predict': new URL('/predict', this.base), '/retrain': new URL('/retrain', this.base), '/health': new URL('/health', this.base) };
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 25;
    this.healthIntervalMs = options.healthIntervalMs ?? 300_000;
    this.recheckMs = options.recheckMs ?? 5_000;
    const sockets = options.maxConcurrency ?? 8;
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
    this.headers = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
    this.schedule();
  }

  get endpoint(): EndpointState {
    return { ...this.state };
  }

  async predict(request: ModelRequest): Promise<Prediction> {
    if (!this.state.healthy) {
      throw new XylenError(ErrorKind.temporary, 'MODEL_UNHEALTHY', `model server ${this.name} is marked unhealthy: ${this.state.lastError ?? ''}`, {
        where: this.base.href,
        hint: 'it is re-admitted when its /health answers again',
      });
    }
    const features: Record<string, number | null> = {};
    request.names.forEach((name, i) => {
      const v = request.features[i]!;
      features[name] = Number.isNaN(v) ? null : v;
    });
    this.remember(request.ts, features);
    const body = await this.call('POST', '/predict', JSON.stringify({ features }));
    return this.predictionOf(body);
  }

  /** Posts the outcomes, each with the features sent for its decision time when this client sent them. */
  async retrain(outcomes: readonly TradeOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const withFeatures = outcomes.map((o) => {
      const features = this.sent.get(o.ts);
      return features ? { ...o, features } : o;
    });
    await this.call('POST', '/retrain', JSON.stringify({ outcomes: withFeatures }));
  }

  /** Ask /health now; a 200 re-admits the endpoint, anything else marks it unhealthy. */
  async checkHealth(): Promise<boolean> {
    try {
      const answer = await httpRequest(this.urls['/health'], { method: 'GET', agent: this.agent, timeoutMs: this.timeoutMs, headers: this.headers });
      if (answer.status === 200) this.state = { healthy: true };
      else this.markUnhealthy(`/health answered ${answer.status}`);
    } catch (error) {
      this.markUnhealthy(`/health: ${(error as Error).message}`);
    }
    return this.state.healthy;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.agent.destroy();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => void this.checkHealth().finally(() => this.schedule()), this.state.healthy ? this.healthIntervalMs : this.recheckMs);
    this.timer.unref();
  }

  private markUnhealthy(reason: string): void {
    const wasHealthy = this.state.healthy;
    this.state = { healthy: false, lastError: reason };
    if (wasHealthy) this.schedule();
  }

  /** One call with its deadline, retrying connection errors and 5xx with exponential backoff inside it. */
  private async call(method: 'GET' | 'POST', path: '/predict' | '/retrain', body?: string): Promise<unknown> {
    const url = this.urls[path];
    const deadline = performance.now() + this.timeoutMs;
    const timedOut = (last?: string) => this.failure('MODEL_TIMEOUT', `${this.name} did not answer ${path} within ${this.timeoutMs} ms${last ? ` (last: ${last})` : ''}`);
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      try {
        const answer = await httpRequest(url, { method, agent: this.agent, timeoutMs: deadline - performance.now(), headers: this.headers, ...(body === undefined ? {} : { body }) });
        if (answer.status < 500) return this.read(answer, url);
        reason = `${path} answered ${answer.status}: ${answer.text.slice(0, 200)}`;
      } catch (error) {
        if (error instanceof XylenError) throw error;
        if (error instanceof DeadlineError) throw timedOut();
        reason = `${path}: ${(error as Error).message}`;
      }
      if (attempt >= this.retries) throw this.failure('MODEL_UNREACHABLE', `${this.name} failed after ${attempt + 1} attempt(s): ${reason}`);
      const wait = this.backoffMs * 2 ** attempt;
      if (performance.now() + wait >= deadline) throw timedOut(reason);
      await sleep(wait);
    }
  }

  private read(answer: HttpAnswer, url: URL): unknown {
    let value: unknown;
    try {
      value = JSON.parse(answer.text);
    } catch {
      throw this.failure('MODEL_BAD_RESPONSE', `${this.name} answered ${url.pathname} with a body that is not JSON: ${JSON.stringify(answer.text.slice(0, 80))}`);
    }
    if (answer.status < 300) return value;
    const error = (value as { error?: { code?: unknown; message?: unknown; hint?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `HTTP_${answer.status}`;
    const message = `${this.name}: ${typeof error?.message === 'string' ? error.message : `${url.pathname} answered ${answer.status}`}`;
    const options = { where: url.href, ...(typeof error?.hint === 'string' ? { hint: error.hint } : {}) };
    throw answer.status === 401 ? operationalError(code, message, options) : inputError(code, message, options);
  }

  private predictionOf(body: unknown): Prediction {
    const first = (body as { predictions?: unknown } | null)?.predictions;
    const p = Array.isArray(first) && first.length === 1 ? (first[0] as { action?: unknown; confidence?: unknown }) : undefined;
    if (!p || !ACTIONS.includes(p.action as Action) || typeof p.confidence !== 'number' || !(p.confidence >= 0 && p.confidence <= 1)) {
      throw this.failure('MODEL_BAD_RESPONSE', `${this.name} answered /predict without one {action, confidence} prediction: ${JSON.stringify(body).slice(0, 120)}`);
    }
    return { action: p.action as Action, confidence: p.confidence };
  }

  private failure(code: string, message: string): XylenError {
    this.markUnhealthy(message);
    return new XylenError(ErrorKind.temporary, code, message, { where: this.base.href });
  }

  private remember(ts: number, features: Record<string, number | null>): void {
    this.sent.delete(ts);
    this.sent.set(ts, features);
    if (this.sent.size > REMEMBERED_ROWS) this.sent.delete(this.sent.keys().next().value!);
  }
}
