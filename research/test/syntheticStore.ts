import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../data/index.ts';
import { importSynthetic } from '../../data/synth/index.ts';

/**
 * A store file in a new temp directory (named with `prefix`) holding seeded synthetic 1m BTCUSDT candles from `start`
 * to `end`: the data the replay, sweep and walk-forward tests share. The caller removes `dir` when done.
 */
export async function createSyntheticStore(prefix: string, candles: { start: number; end: number; seed: number }, file = 'store.duckdb'): Promise<{ dir: string; db: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = join(dir, file);
  const store = await Store.open(db);
  try {
    await importSynthetic(store, { symbol: 'BTCUSDT', ...candles, interval: '1m', price: 60_000 });
  } finally {
    store.close();
  }
  return { dir, db };
}
