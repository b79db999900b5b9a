const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** A duration as its two largest non-zero units: `62d 3h`, `3h 20m`, `45s`; `0s` for zero. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(Math.abs(ms));
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
    if (parts.length === 2) break;
  }
  const shown = parts.filter((p) => !p.startsWith('0'));
  return `${ms < 0 ? '-' : ''}${shown.length > 0 ? shown.join(' ') : '0s'}`;
}
