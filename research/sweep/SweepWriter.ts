import { Store } from '../../data/index.ts';
import { XylenError } from '../../engine/index.ts';
import { insertSweepResults, setSweepStatus, type NewSweepResult, type SweepStatus } from './sweepTables.ts';

export interface SweepWriterOptions {
  /** How often buffered results are written (ms). */
  flushMs: number;
  /** Called after each write with the number of new rows (a duplicate result is not new) and the hashes of the batch. */
  onFlush?: (inserted: number, hashes: string[]) => void;
  /** How long `finish` keeps retrying while another process holds the store (ms). */
  lockWaitMs?: number;
}

/**
 * The sweep's only path to the store while it runs. Results are buffered as they arrive and written in short bursts:
 * open the file read-write, insert the batch in one transaction, close. Between bursts the file is free, so a reader
 * (the studio, `xylen sweep show`) can open it; a burst that finds the file held keeps its batch and tries again at
 * the next one. Nothing finished is lost on an orderly stop: `finish` writes the rest before it returns.
 */
export class SweepWriter {
  private buffer: NewSweepResult[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private lastError: unknown;
  /** A write that failed for another reason than a held store: `finish` reports it. */
  private failure: unknown;
  stored = 0;

  constructor(
    private readonly dbPath: string,
    private readonly sweepId: string,
    private readonly options: SweepWriterOptions,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.flush().catch((error: unknown) => (this.failure ??= error));
    }, this.options.flushMs);
  }

  add(result: NewSweepResult): void {
    this.buffer.push(result);
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Write what is buffered now; a held store leaves it buffered for the next try. */
  flush(): Promise<boolean> {
    this.running ??= this.burst().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stop the timer, write everything left (waiting out another process's hold), and record the sweep's status. */
  async finish(status: SweepStatus, message: string | null = null): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = performance.now() + (this.options.lockWaitMs ?? 60_000);
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      await this.running?.catch(() => false);
      if (this.failure) throw this.failure;
      const ok = await this.burst(async (store) => setSweepStatus(store, this.sweepId, status, message));
      if (ok) return;
      if (performance.now() > deadline) throw this.lastError;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** One open–write–close; false when the store was held by another process (the batch stays buffered). */
  private async burst(more?: (store: Store) => Promise<void>): Promise<boolean> {
    if (this.buffer.length === 0 && !more) return true;
    const batch = this.buffer;
    this.buffer = [];
    let store: Store | undefined;
    try {
      store = await openWritable(this.dbPath, 0);
      const inserted = await insertSweepResults(store, this.sweepId, batch);
      if (more) await more(store);
      this.stored += inserted;
      this.options.onFlush?.(inserted, batch.map((r) => r.hash));
      return true;
    } catch (error) {
      this.buffer = [...batch, ...this.buffer];
      this.lastError = error;
      if (error instanceof XylenError && error.code === 'STORE_LOCKED') return false;
      throw error;
    } finally {
      store?.close();
    }
  }
}

/**
 * Open the store read-write, trying again with backoff for up to `waitMs` while another process holds it (a reader
 * between two of our bursts, usually, which lets go within moments). Then the STORE_LOCKED error stands.
 */
export async function openWritable(dbPath: string, waitMs: number): Promise<Store> {
  const deadline = performance.now() + waitMs;
  for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
    try {
      return await Store.open(dbPath);
    } catch (error) {
      if (!(error instanceof XylenError && error.code === 'STORE_LOCKED') || performance.now() + wait > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
