import { Float64, makeData, makeVector, Table, TimestampMillisecond, type Vector } from 'apache-arrow';
import type { CandleColumns } from '../CandleColumns.ts';

/**
 * Candle columns as an Apache Arrow table. `open_time` is a Timestamp(MILLISECOND, 'UTC') column,
 * so Arrow-aware tools (pandas, Polars, DuckDB) read it as a time rather than a bare number; every
 * other column is Float64 (trades included: counts are exact in a float64). Column names are the
 * store's snake_case ones. The price columns share memory with `columns`; `open_time` is converted
 * to the Int64 storage Arrow needs.
 */
export function toArrowTable(columns: CandleColumns): Table {
  const openTime = makeVector(
    makeData({ type: new TimestampMillisecond('UTC'), length: columns.length, data: BigInt64Array.from(columns.openTime, (ms) => BigInt(ms)) }),
  );
  const vectors: Record<string, Vector> = { open_time: openTime };
  const float = (name: string, values: Float64Array | undefined) => {
    if (values) vectors[name] = makeVector(makeData({ type: new Float64(), length: columns.length, data: values }));
  };
  float('open', columns.open);
  float('high', columns.high);
  float('low', columns.low);
  float('close', columns.close);
  float('volume', columns.volume);
  float('quote_volume', columns.quoteVolume);
  float('trades', columns.trades);
  float('taker_buy_base', columns.takerBuyBase);
  float('taker_buy_quote', columns.takerBuyQuote);
  return new Table(vectors);
}
