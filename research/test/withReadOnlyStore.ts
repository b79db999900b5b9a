import { Store } from '../../data/index.ts';

/** Open the store read-only, as the CLI and studio do (so a reader that tried to write would fail), for one piece of work. */
export async function withReadOnlyStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
