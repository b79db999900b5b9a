/** (x − ref) / ref: how far a price is from a reference (an EMA), as a fraction of the reference. */
export function relativeDistance(x: number, ref: number): number {
  return (x - ref) / ref;
}

export function distanceColumn(x: Float64Array, ref: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = relativeDistance(x[i]!, ref[i]!);
  return out;
}

/** x / base per bar: price-unit indicators (MACD, ATR) as a fraction of the close, comparable across price levels. */
export function ratioColumn(x: Float64Array, base: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! / base[i]!;
  return out;
}
