import { Store, type StoreOptions } from '../../../../data/index.ts';
import { XylenError } from '../../../../engine/index.ts';
import { StoreBusyError } from './StoreBusyError.ts';

export interface StoreAccessOptions {
  /** Keep a read-only open this long after the last read, so the requests of one page share it (ms). */
  lingerMs: number;
  /** Waits between attempts while another process holds the write lock; then the store is reported busy. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS = [50, 100, 200, 400, 800];

/**
 * The studio's only way into the store. DuckDB allows one read-write process or many read-only ones per file, and
 * replays, sweeps and the live process write in bursts, so the studio never holds the store: it opens it read-only
 * for a burst of requests (closing it `lingerMs` after the last), retries briefly while a writer has it, and then
 * says the store is busy. Work is serialised: one open, one request's queries at a time.
 *
 * Writes (a promotion) close the reader and open read-write just for the write. While the studio's own replay child
 * process runs (`holdForChild`), reads are refused as busy at once, so the studio never takes the lock the child
 * is about to take.
 */
export class StoreAccess {
  private store: Store | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private child: { id: string; label: string } | undefined;

  constructor(
    readonly path: string,
    private readonly options: StoreAccessOptions,
  ) {}

  /** Run `work` against the store opened read-only. */
  read<T>(work: (store: Store) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.refuseWhileChildWrites();
      this.cancelClose();
      this.store ??= await this.open({ readOnly: true });
      try {
        return await work(this.store);
      } finally {
        this.scheduleClose();
      }
    });
  }

  /** Run `work` against the store opened read-write, and close it again. */
  write<T>(work: (store: Store) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.refuseWhileChildWrites();
      this.closeNow();
      const store = await this.open({ readOnly: false });
      try {
        return await work(store);
      } finally {
        store.close();
      }
    });
  }

  /**
   * Let a child process of the studio take the store: close the reader, refuse reads until `release` is called. A
   * second child while one runs is refused as busy.
   */
  holdForChild(job: { id: string; label: string }): Promise<() => void> {
    return this.exclusive(async () => {
      this.refuseWhileChildWrites();
      this.closeNow();
      this.child = job;
      return () => {
        if (this.child === job) this.child = undefined;
      };
    });
  }

  /** The studio's own writer, while it runs. */
  get childJob(): { id: string; label: string } | undefined {
    return this.child;
  }

  close(): Promise<void> {
    return this.exclusive(async () => this.closeNow());
  }

  private async open(options: StoreOptions): Promise<Store> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await Store.open(this.path, options);
      } catch (error) {
        if (!(error instanceof XylenError && error.code === 'STORE_LOCKED')) throw error;
        const delay = delays[attempt];
        if (delay === undefined) {
          throw new StoreBusyError(`the store ${this.path} is busy: another process (a replay, a sweep or the live process) is writing to it`, undefined);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private refuseWhileChildWrites(): void {
    if (this.child) throw new StoreBusyError(`the store ${this.path} is busy: the studio's ${this.child.label} is writing to it`, this.child);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work, work);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private scheduleClose(): void {
    this.cancelClose();
    this.closeTimer = setTimeout(() => void this.close(), this.options.lingerMs);
    this.closeTimer.unref?.();
  }

  private cancelClose(): void {
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
  }

  private closeNow(): void {
    this.cancelClose();
    this.store?.close();
    this.store = undefined;
  }
}
