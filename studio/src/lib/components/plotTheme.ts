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
