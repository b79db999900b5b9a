import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, Store } from './index.ts';
import { XylenError } from '../engine/index.ts';

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xylen-store-'));
  dirs.push(dir);
  return join(dir, 'test.duckdb');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Store', () => {
  it('creates a new file at the latest schema version and keeps it on reopen', async () => {
    const path = tempDb();
    const store = await Store.open(path);
    const latest = MIGRATIONS.at(-1)!.version;
    expect(await store.schemaVersion()).toBe(latest);
    await store.connection.run(`INSERT INTO candles (market, symbol, interval, open_time, open, high, low, close, volume) VALUES ('usdm','BTCUSDT','1m',0,1,2,0.5,1.5,10)`);
    store.close();

    const again = await Store.open(path, { readOnly: true });
    expect(await again.schemaVersion()).toBe(latest);
    const rows = await again.all('SELECT count(*)::INTEGER AS n FROM candles');
    expect(rows[0]!['n']).toBe(1);
    const applied = await again.all('SELECT count(*)::INTEGER AS n FROM schema_migrations');
    expect(applied[0]!['n']).toBe(MIGRATIONS.length);
    again.close();
  });

  it('rolls a failed transaction back whole', async () => {
    const store = await Store.open(tempDb());
    await expect(
      store.transaction(async (c) => {
        await c.run(`INSERT INTO funding_rates VALUES ('usdm','BTCUSDT',1,0.0001,NULL)`);
        await c.run(`INSERT INTO funding_rates VALUES ('usdm','BTCUSDT',1,0.0002,NULL)`); // duplicate key
      }),
    ).rejects.toThrow();
    const rows = await store.all('SELECT count(*)::INTEGER AS n FROM funding_rates');
    expect(rows[0]!['n']).toBe(0);
    store.close();
  });

  it('runs singleThreaded work on one DuckDB thread, overlapping calls included, and gives the default back after the last, also when work fails', async () => {
    const store = await Store.open(tempDb());
    const threads = async () => Number((await store.all(`SELECT current_setting('threads')::INTEGER AS t`))[0]!['t']);
    const initial = await threads();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = store.singleThreaded(async () => {
      await held;
      return threads();
    });
    // A second call while the first runs, failing: the first still has one thread after it.
    await expect(
      store.singleThreaded(async () => {
        expect(await threads()).toBe(1);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await threads()).toBe(1);
    release();
    expect(await first).toBe(1);
    expect(await threads()).toBe(initial);
    store.close();
  });

  it('opens again after the process that created it was killed before closing it', async () => {
    const path = tempDb();
    // A child process creates the store (every migration), then dies with SIGKILL: nothing closes or checkpoints it.
    const script = `import { Store } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
      const store = await Store.open(${JSON.stringify(path)});
      await store.connection.run("INSERT INTO funding_rates VALUES ('usdm','BTCUSDT',1,0.0001,NULL)");
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const store = await Store.open(path);
    expect(await store.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    expect((await store.all('SELECT count(*)::INTEGER AS n FROM funding_rates'))[0]!['n']).toBe(1);
    store.close();
  });

  it('says clearly when a read-only open finds no file', async () => {
    const error = await Store.open(join(tmpdir(), 'xylen-none', 'missing.duckdb'), { readOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XylenError);
    expect((error as XylenError).code).toBe('STORE_MISSING');
  });

  it('calls a directory or a file that is not DuckDB an input error (exit 2), leaving the file as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xylen-not-a-store-'));
    try {
      const text = join(dir, 'notes.txt');
      writeFileSync(text, 'not a database\n'.repeat(1000));
      for (const [path, readOnly] of [[dir, false], [text, false], [text, true]] as const) {
        const error = await Store.open(path, { readOnly }).catch((e: unknown) => e);
        expect(error, path).toBeInstanceOf(XylenError);
        expect([(error as XylenError).code, (error as XylenError).exitCode]).toEqual(['STORE_NOT_DUCKDB', 2]);
      }
      expect(readFileSync(text, 'utf8')).toBe('not a database\n'.repeat(1000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
