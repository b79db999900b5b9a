import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../../data/index.ts';
import { XylenError } from '../../../../engine/index.ts';
import { StoreWriter } from '../../../test/StoreWriter.ts';
import { JournalStore } from '../../../test/journalStore.ts';
import { StoreAccess } from './StoreAccess.ts';
import { StoreBusyError } from './StoreBusyError.ts';

const journals = new JournalStore();
let writer: StoreWriter;
beforeAll(async () => {
  await journals.run([]);
  journals.close();
  writer = await StoreWriter.start(journals.path);
});
afterAll(async () => {
  await writer.stop();
  journals.cleanup();
});

const count = (store: Store) => store.all(`SELECT count(*)::INTEGER AS n FROM runs`).then((rows) => rows[0]!['n']);

describe('StoreAccess: read-only bursts beside writers in other processes', () => {
  it('reads, then lets go of the store after the linger, so another process can write', async () => {
    const access = new StoreAccess(journals.path, { lingerMs: 50 });
    expect(await access.read(count)).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    await writer.hold();
    await writer.release();
  });

  it('says busy, without an error, while another process writes, and reads again once it is done', async () => {
    await writer.hold();
    const access = new StoreAccess(journals.path, { lingerMs: 0, retryDelaysMs: [20, 20] });
    const busy = await access.read(count).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(StoreBusyError);
    expect((busy as StoreBusyError).message).toMatch(/busy: another process .* is writing/);
    await writer.release();
    expect(await access.read(count)).toBe(1);
    await access.close();
  });

  it('retries briefly: a writer that lets go within the retries is never noticed', async () => {
    await writer.hold();
    const access = new StoreAccess(journals.path, { lingerMs: 0, retryDelaysMs: [100, 200, 400, 800, 1600] });
    const reading = access.read(count);
    setTimeout(() => void writer.release(), 150);
    expect(await reading).toBe(1);
    await access.close();
  });

  it("keeps off the store while the studio's own child process writes, and refuses a second child", async () => {
    const access = new StoreAccess(journals.path, { lingerMs: 1000 });
    await access.read(count);
    const release = await access.holdForChild({ id: 'job-1', label: 'comparison replay' });
    // The reader was closed: the child can take the write lock at once.
    await writer.hold();
    const refused = (await access.read(count).catch((e: unknown) => e)) as StoreBusyError;
    expect(refused).toBeInstanceOf(StoreBusyError);
    expect(refused.job).toEqual({ id: 'job-1', label: 'comparison replay' });
    expect(await access.holdForChild({ id: 'job-2', label: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(StoreBusyError);
    await writer.release();
    release();
    expect(await access.read(count)).toBe(1);
    await access.close();
  });

  it('writes through a read-write open of its own, closing its reader first', async () => {
    const access = new StoreAccess(journals.path, { lingerMs: 1000 });
    await access.read(count);
    await access.write((store) => store.connection.run(`UPDATE runs SET message = 'noted'`));
    expect(await access.read((store) => store.all(`SELECT message FROM runs`))).toEqual([{ message: 'noted' }]);
    await access.close();
  });

  it('reports a missing store as STORE_MISSING, not as busy', async () => {
    const access = new StoreAccess(`${journals.dir}/nope.duckdb`, { lingerMs: 0 });
    const error = (await access.read(count).catch((e: unknown) => e)) as XylenError;
    expect(error).toBeInstanceOf(XylenError);
    expect(error.code).toBe('STORE_MISSING');
  });
});
