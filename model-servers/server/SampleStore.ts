import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { operationalError } from '../../engine/index.ts';

/**
 * A model server's own training samples (trade outcomes with their features), one JSON object per line. One writer
 * per file: `open` takes `<path>.lock` holding its pid and refuses while a live process holds it (a lock left by a
 * dead process is taken over), and appends are chained so that lines never interleave. `<path>.state.json` says how
 * many lines a retrain has already started from, so that "pending" survives a restart.
 */
export class SampleStore {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private count: number,
    private used: number,
  ) {}

  static async open(path: string): Promise<SampleStore> {
    await mkdir(dirname(path), { recursive: true });
    const lock = `${path}.lock`;
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (isAlive(holder)) {
        throw operationalError('SAMPLES_LOCKED', `process ${holder} already writes this sample store`, {
          where: path,
          hint: 'each model server needs its own sample file: pass another --samples path, or stop the other server',
        });
      }
      await writeFile(lock, String(process.pid));
    }
    const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const count = existing.split('\n').filter((line) => line.trim() !== '').length;
    const state = await readFile(`${path}.state.json`, 'utf8').then(
      (text) => JSON.parse(text) as { usedThrough?: unknown },
      () => ({}) as { usedThrough?: unknown },
    );
    const used = typeof state.usedThrough === 'number' && Number.isInteger(state.usedThrough) ? Math.min(Math.max(0, state.usedThrough), count) : 0;
    return new SampleStore(path, count, used);
  }

  /** Samples stored (lines in the file). */
  get total(): number {
    return this.count;
  }

  /** Samples stored since the last retrain started (those a retrain has not yet seen). */
  get pending(): number {
    return this.count - this.used;
  }

  /** Record that a retrain started from the first `through` samples: they are no longer pending. */
  async markUsed(through: number): Promise<void> {
    this.used = Math.min(Math.max(this.used, through), this.count);
    const file = `${this.path}.state.json`;
    await writeFile(`${file}.tmp`, `${JSON.stringify({ usedThrough: this.used })}\n`);
    await rename(`${file}.tmp`, file);
  }

  /** Append samples; resolves with the pending count once they are on disk. */
  append(samples: readonly object[]): Promise<number> {
    const text = samples.map((s) => `${JSON.stringify(s)}\n`).join('');
    const write = this.chain.then(() => appendFile(this.path, text));
    this.chain = write.catch(() => undefined);
    return write.then(() => {
      this.count += samples.length;
      return this.pending;
    });
  }

  async close(): Promise<void> {
    await this.chain;
    await rm(`${this.path}.lock`, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
