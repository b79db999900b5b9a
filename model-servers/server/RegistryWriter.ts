import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { operationalError, XylenError } from '../../engine/index.ts';
import { Store } from '../../data/index.ts';
import type { ModelCard } from '../ModelCard.ts';
import { listPendingRegistrations, queueRegistration, registerPending } from '../registry/index.ts';

export interface RegistryWriterOptions {
  /** The main store holding the registry; it is opened for writing only for the moment of a registration. */
  storePath: string;
  /** Where model files are written and `pending/` queues registrations. */
  modelsDir: string;
  logger?: Logger | false;
  /** First and longest wait between attempts while the store is busy; default 1 s and 60 s. */
  retryMs?: { first: number; max: number };
}

export interface RegistryWriterState {
  storePath: string;
  /** Versions written but not yet in the registry (queued in `<modelsDir>/pending/`). */
  pending: number;
  registered: number;
  /** The last failed attempt (e.g. STORE_LOCKED while a replay writes the store); cleared by a success. */
  lastError: { code: string; message: string; at: string } | null;
  nextAttemptAt: string | null;
}

/**
 * Registers a model server's retrained versions in the main store without ever holding it: DuckDB allows one
 * writer per file, and a replay, a sweep or `xylen models …` may be writing it. Each version is first queued as a
 * file (so it survives a restart), then the store is opened read-write just for the INSERT and closed at once. When
 * the store is busy (STORE_LOCKED) the attempt is retried with exponential backoff on a timer: /predict never waits
 * on it, and the queue also drains through `xylen models sync` or any registry-writing command.
 */
export class RegistryWriter {
  private registered = 0;
  private pendingCount = 0;
  private lastError: RegistryWriterState['lastError'] = null;
  private timer: NodeJS.Timeout | undefined;
  private nextAttempt: number | null = null;
  private delay: number;
  private running: Promise<boolean> | undefined;
  private closed = false;
  private readonly retry: { first: number; max: number };

  constructor(private readonly options: RegistryWriterOptions) {
    this.retry = options.retryMs ?? { first: 1_000, max: 60_000 };
    this.delay = this.retry.first;
  }

  get modelsDir(): string {
    return this.options.modelsDir;
  }

  /** Queue a version and try to register it now; resolves once it is queued (registration may come later). */
  async submit(card: ModelCard, path: string): Promise<void> {
    await queueRegistration(this.options.modelsDir, card, path, new Date().toISOString());
    this.pendingCount++;
    this.delay = this.retry.first;
    void this.flush();
  }

  /** Register whatever is queued (including what an earlier run left); true when the queue is empty after. */
  flush(): Promise<boolean> {
    this.running ??= this.attempt().finally(() => (this.running = undefined));
    return this.running;
  }

  state(): RegistryWriterState {
    return {
      storePath: this.options.storePath,
      pending: this.pendingCount,
      registered: this.registered,
      lastError: this.lastError,
      nextAttemptAt: this.nextAttempt === null ? null : new Date(this.nextAttempt).toISOString(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async attempt(): Promise<boolean> {
    clearTimeout(this.timer);
    this.nextAttempt = null;
    const log = this.options.logger || undefined;
    const queued = await listPendingRegistrations(this.options.modelsDir);
    this.pendingCount = queued.length;
    if (queued.length === 0) return true;
    let store: Store | undefined;
    try {
      if (!existsSync(this.options.storePath)) {
        throw operationalError('STORE_MISSING', `no store at ${this.options.storePath} to register the retrained model in`, {
          hint: 'create it (e.g. `xylen models init`), or start the server with --db pointing at the store',
        });
      }
      store = await Store.open(this.options.storePath);
      const outcome = await registerPending(store, this.options.modelsDir);
      this.registered += outcome.registered.length;
      for (const record of outcome.registered) log?.info({ model: record.modelId, version: record.version, parent: record.parentVersion }, 'registered the retrained model');
      for (const refused of outcome.refused) log?.error({ file: refused.file }, `cannot register a queued model: ${refused.reason}`);
      this.pendingCount = outcome.refused.length;
      this.lastError = outcome.refused.length === 0 ? null : { code: 'REGISTRATION_REFUSED', message: outcome.refused.map((r) => r.reason).join('; '), at: new Date().toISOString() };
      this.delay = this.retry.first;
      return outcome.refused.length === 0;
    } catch (error) {
      const code = error instanceof XylenError ? error.code : 'REGISTRATION_FAILED';
      this.lastError = { code, message: (error as Error).message, at: new Date().toISOString() };
      log?.warn({ code, retryInMs: this.delay, pending: this.pendingCount }, `cannot register the retrained model yet: ${(error as Error).message}`);
      this.schedule();
      return false;
    } finally {
      store?.close();
    }
  }

  private schedule(): void {
    if (this.closed) return;
    const wait = this.delay;
    this.delay = Math.min(this.retry.max, this.delay * 2);
    this.nextAttempt = Date.now() + wait;
    this.timer = setTimeout(() => void this.flush(), wait);
    this.timer.unref();
  }
}
