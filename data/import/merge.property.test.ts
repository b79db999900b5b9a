import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Store } from '../Store.ts';
import { importCandleColumns, importPaths } from './index.ts';

const MINUTE = 60_000;
const START = Date.UTC(2024, 0, 1);

interface Candle {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** A valid 1m series with gaps: prices on a 0.1 tick so CSV text round-trips exactly. */
const series = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 3 }),
      o: fc.integer({ min: 1, max: 100_000 }),
      up: fc.integer({ min: 0, max: 500 }),
      down: fc.integer({ min: 0, max: 500 }),
      closeAt: fc.double({ min: 0, max: 1, noNaN: true }),
      v: fc.integer({ min: 0, max: 1_000_000 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((steps) => {
    let t = START;
    return steps.map(({ gap, o, up, down, closeAt, v }): Candle => {
      t += gap * MINUTE;
      const l = Math.max(0, o - down);
      const h = o + up;
      const c = l + Math.round((h - l) * closeAt);
      return { t, o: o / 10, h: h / 10, l: l / 10, c: c / 10, v: v / 1000 };
    });
  });

/** Overlapping chunks [from, to) that together cover the whole series. */
const chunked = series.chain((candles) =>
  fc
    .array(fc.tuple(fc.nat(candles.length - 1), fc.integer({ min: 1, max: candles.length })), { minLength: 1, maxLength: 5 })
    .map((cuts) => {
      const chunks = cuts.map(([from, size]) => candles.slice(from, Math.min(candles.length, from + size)));
      return { candles, chunks: [...chunks, candles.slice(0, 1 + (cuts[0]![0] % candles.length)), candles.slice(cuts[0]![0])] };
    })
    .chain(({ candles, chunks }) => fc.shuffledSubarray(chunks, { minLength: chunks.length }).map((order) => ({ candles, order }))),
);

const csv = (candles: Candle[]) => ['open_time,open,high,low,close,volume', ...candles.map(({ t, o, h, l, c, v }) => `${t},${o},${h},${l},${c},${v}`)].join('\n');

async function withStore<T>(work: (store: Store, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'xylen-merge-'));
  const store = await Store.open(join(dir, 'store.duckdb'));
  try {
    return await work(store, dir);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const stored = (store: Store) => store.all(`SELECT open_time::DOUBLE AS t, open AS o, high AS h, low AS l, close AS c, volume AS v FROM candles ORDER BY open_time`);

/** The distinct union, computed naively: a map keyed by open time. */
const union = (chunks: Candle[][]) => [...new Map(chunks.flat().map((c) => [c.t, c])).values()].sort((a, b) => a.t - b.t);

describe('merging overlapping imports', () => {
  it('CSV chunks imported in any order, and again, store exactly the distinct union', async () => {
    await fc.assert(
      fc.asyncProperty(chunked, async ({ order }) =>
        withStore(async (store, dir) => {
          const paths = await Promise.all(order.map(async (chunk, i) => {
            const path = join(dir, `BTCUSDT-1m-chunk${i}.csv`);
            await writeFile(path, csv(chunk));
            return path;
          }));
          const first = await importPaths(store, paths, {});
          expect(first.rejected).toBe(0);
          const expected = union(order);
          expect(first.rowsAdded).toBe(expected.length);
          expect(await stored(store)).toEqual(expected);
          const again = await importPaths(store, [...paths].reverse(), {});
          expect(again.unchanged).toBe(paths.length);
          expect(await stored(store)).toEqual(expected);
        }),
      ),
      { numRuns: 15 },
    );
  });

  it('column chunks merge the same way (the path synth and fetch use)', async () => {
    await fc.assert(
      fc.asyncProperty(chunked, async ({ order }) =>
        withStore(async (store) => {
          for (const chunk of order) {
            const column = (pick: (c: Candle) => number) => Float64Array.from(chunk, pick);
            const result = await importCandleColumns(
              store,
              { length: chunk.length, openTime: column((c) => c.t), open: column((c) => c.o), high: column((c) => c.h), low: column((c) => c.l), close: column((c) => c.c), volume: column((c) => c.v) },
              { market: 'synthetic', symbol: 'BTCUSDT', interval: '1m', source: 'property', format: 'columns' },
            );
            expect(result.status).not.toBe('rejected');
          }
          expect(await stored(store)).toEqual(union(order));
        }),
      ),
      { numRuns: 10 },
    );
  });
});
