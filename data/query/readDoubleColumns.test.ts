// readDoubleColumns copies each chunk's vectors whole and marks NULLs from their validity masks: the same values as
// reading the rows one by one, across chunk boundaries and at every bit position of the mask.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../Store.ts';
import { readDoubleColumns } from './readDoubleColumns.ts';
import { TempStores } from './testStore.ts';

const stores = new TempStores();
let store: Store;
beforeAll(async () => {
  store = await stores.open();
});
afterAll(() => stores.cleanup());

describe('readDoubleColumns', () => {
  it('reads several chunks with NULLs anywhere as the rows read one by one, NULL as NaN', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 7000 }),
        fc.integer({ min: 2, max: 3000 }),
        fc.integer({ min: 1, max: 64 }),
        async (rows, nullEvery, nullAt) => {
          // Column a: NULL every `nullEvery` rows from `nullAt`; b: never NULL; c: always NULL.
          const sql = `SELECT CASE WHEN i % $2 = $3 % $2 THEN NULL ELSE i * 0.5 - 7 END::DOUBLE AS a, (i * 1.25)::DOUBLE AS b, NULL::DOUBLE AS c
            FROM range($1) t(i) ORDER BY i`;
          const { length, columns } = await readDoubleColumns(store.connection, sql, [rows, nullEvery, nullAt]);
          expect(length).toBe(rows);
          expect(columns.map((c) => c.length)).toEqual([rows, rows, rows]);
          for (let i = 0; i < rows; i++) {
            expect(columns[0]![i]).toBe(i % nullEvery === nullAt % nullEvery ? Number.NaN : i * 0.5 - 7);
            expect(columns[1]![i]).toBe(i * 1.25);
            expect(columns[2]![i]).toBeNaN();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a column that is not DOUBLE', async () => {
    await expect(readDoubleColumns(store.connection, 'SELECT 1::INTEGER AS n', [])).rejects.toThrow(/not DOUBLE/);
  });
});
