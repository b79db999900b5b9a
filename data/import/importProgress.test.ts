import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { realFile, TempStores } from '../query/testStore.ts';
import type { ImportProgress } from './ImportResult.ts';
import { importPaths } from './importPaths.ts';

const stores = new TempStores();
afterAll(() => stores.cleanup());

describe('import progress', () => {
  it('counts bytes of the input files, moves inside one big file, never goes back, and ends at the total', async () => {
    const store = await stores.open();
    // One big plain CSV (two million 1m candles, ~90 MB), written by DuckDB into the temp folder.
    const big = join(dirname(store.path), 'BTCUSDT-1m-big.csv');
    await store.connection.run(
      `COPY (SELECT i * 60000 AS open_time, 100.0 + i % 7 AS open, 110.0 + i % 7 AS high, 90.0 AS low, 105.0 AS close, 1.5 AS volume
             FROM range(2000000) t(i)) TO '${big}' (HEADER true)`,
    );
    const small = realFile('BTCUSDT', 'BTCUSDT-5m-2025-03-06_2025-04-13.csv');
    const sizes = [statSync(big).size, statSync(small).size];

    const seen: ImportProgress[] = [];
    const report = await importPaths(store, [big, small], {}, (p) => seen.push({ ...p }));
    expect(report.imported).toBe(2);

    expect(new Set(seen.map((p) => p.bytesTotal))).toEqual(new Set([sizes[0]! + sizes[1]!]));
    const done = seen.map((p) => p.bytesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ bytesDone: sizes[0]! + sizes[1]!, filesDone: 2, file: '' });
    // While the big file was read, the count moved past 0 without reaching its end.
    expect(done.some((bytes) => bytes > 0 && bytes < sizes[0]!)).toBe(true);
  });
});
