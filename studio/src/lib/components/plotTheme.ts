/** Plot options every studio chart shares: transparent background, muted axes, tabular numbers, UTC time axes. */
export const PLOT_STYLE = { background: 'transparent', color: '#8393b8', fontSize: '12px', fontVariantNumeric: 'tabular-nums', overflow: 'visible' };

export const COLORS = {
  blue: '#2e9bff',
  blueBright: '#5cc8ff',
  muted: '#8393b8',
  grid: '#1c2a4a',
  positive: '#3ddc97',
  negative: '#ff5c7a',
  warn: '#ffb020',
};

/** Distinct run colours for overlays, electric blue first. */
export const RUN_PALETTE = ['#2e9bff', '#ff9f1c', '#3ddc97', '#ff5c7a', '#b388ff', '#00e5ff', '#ffd166', '#f15bb5'];

/** Tip style on black. */
export const TIP = { fill: '#0f1628', stroke: '#2e9bff', textPadding: 6 };

/** Tick labels for a UTC time axis over [from, to]: 24-hour times for short spans, days, then months. */
export function utcTicks(from: number, to: number): (d: Date) => string {
  const span = to - from;
  const iso = (d: Date) => d.toISOString();
  if (span <= 2 * 86_400_000) return (d) => `${iso(d).slice(11, 16)}`;
  if (span <= 120 * 86_400_000) return (d) => `${iso(d).slice(5, 10)}${iso(d).slice(11, 16) === '00:00' ? '' : ` ${iso(d).slice(11, 16)}`}`;
  return (d) => iso(d).slice(0, 7);
}
