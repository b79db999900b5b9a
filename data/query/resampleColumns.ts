import type { CandleColumns } from '../CandleColumns.ts';

/**
 * Complete buckets of `targetMs` made from candles of `sourceMs` already in memory, in time order: open of the first,
 * highest high, lowest low, close of the last, volume summed in time order. A bucket starts at a UTC epoch multiple
 * of `targetMs` and is kept only when all `targetMs / sourceMs` of its candles are there, as `resampleCandles` keeps
 * `complete` ones. The sums run in time order, so the result never depends on how a store happened to scan the rows
 * (SQL's `sum(volume ORDER BY open_time)` gives the same doubles). `source` must be sorted by open time.
 */
export function resampleColumns(source: CandleColumns, sourceMs: number, targetMs: number): CandleColumns {
  const ratio = targetMs / sourceMs;
  const n = source.length;
  const openTime = new Float64Array(Math.ceil(n / ratio) + 1);
  const open = new Float64Array(openTime.length);
  const high = new Float64Array(openTime.length);
  const low = new Float64Array(openTime.length);
  const close = new Float64Array(openTime.length);
  const volume = new Float64Array(openTime.length);
  let kept = 0;
  let i = 0;
  while (i < n) {
    const t = source.openTime[i]!;
    const bucket = t - (((t % targetMs) + targetMs) % targetMs);
    const end = bucket + targetMs;
    let count = 0;
    let hi = -Infinity;
    let lo = Infinity;
    let sum = 0;
    const first = i;
    for (; i < n && source.openTime[i]! < end; i++) {
      count++;
      if (source.high[i]! > hi) hi = source.high[i]!;
      if (source.low[i]! < lo) lo = source.low[i]!;
      sum += source.volume[i]!;
    }
    if (count !== ratio) continue;
    openTime[kept] = bucket;
    open[kept] = source.open[first]!;
    high[kept] = hi;
    low[kept] = lo;
    close[kept] = source.close[i - 1]!;
    volume[kept] = sum;
    kept++;
  }
  return {
    length: kept,
    openTime: openTime.slice(0, kept),
    open: open.slice(0, kept),
    high: high.slice(0, kept),
    low: low.slice(0, kept),
    close: close.slice(0, kept),
    volume: volume.slice(0, kept),
  };
}
