/**
 * Binance sends decimals as strings. The simulator prints the shortest string that reads back as the same double
 * (never an exponent), so a client parsing it sees exactly the number the matching engine used: that is what lets a
 * live run through the simulator reproduce a replay bit for bit. A real exchange prints on its tick grid instead.
 */
export function dec(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Tiny or huge values: fixed notation with enough places, trailing zeros trimmed.
  const fixed = Math.abs(value) < 1 ? value.toFixed(20) : value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** A decimal parameter of a request: finite, or undefined when absent; NaN when malformed. */
export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
}

/** Whether `value` is an integer multiple of `unit` (the grid of a tick or step size), within float noise. */
export function onGrid(value: number, unit: number): boolean {
  const units = value / unit;
  return Math.abs(units - Math.round(units)) < 1e-7 * Math.max(1, Math.abs(units));
}
