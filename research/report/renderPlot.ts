import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** The studio's colours, for marks. */
export const PALETTE = {
  text: '#dce6ff',
  muted: '#8393b8',
  grid: '#1c2a4a',
  blue: '#2e9bff',
  blueBright: '#5cc8ff',
  blueDeep: '#0b3d91',
  positive: '#3ddc97',
  negative: '#ff5c7a',
  warn: '#ffb020',
  violet: '#a78bfa',
} as const;

/** Categorical colours for series that have no meaning of their own (exit reasons, models). */
export const CATEGORY_COLORS = ['#2e9bff', '#ffb020', '#3ddc97', '#ff5c7a', '#a78bfa', '#5cc8ff', '#f472b6', '#94a3b8'];

// One DOM for every chart of the process: Plot only creates elements in it, and the SVG is serialised at once.
const { document } = parseHTML('<!doctype html><html><head></head><body></body></html>');

export type PlotOptions = Plot.PlotOptions;

/**
 * A colour scale with a legend of a given width. Plot passes a scale's options on to its legend (width included),
 * which its type declarations do not say.
 */
export function legendScale(options: Plot.ScaleOptions & { width?: number }): Plot.ScaleOptions {
  return options;
}
export { Plot };

/**
 * Render an Observable Plot chart to static SVG markup on the server (linkedom as the DOM). The chart needs no
 * script in the page; exact values go in `title` channels, which Plot writes as SVG `<title>` tooltips.
 * Continuous colour legends need a canvas, which a server DOM lacks: give colour scales a `quantize` or
 * `threshold` type (or an ordinal domain) when they have a legend.
 */
export function renderPlot(options: Plot.PlotOptions): string {
  const { style, ...rest } = options;
  const node = Plot.plot({
    width: 1080,
    height: 300,
    marginLeft: 64,
    marginRight: 24,
    ...rest,
    document: document as unknown as Plot.PlotOptions['document'],
    style: {
      background: 'transparent',
      color: PALETTE.text,
      fontSize: '11px',
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      fontVariantNumeric: 'tabular-nums',
      overflow: 'visible',
      ...(typeof style === 'object' && style !== null ? style : {}),
    },
  }) as unknown as { outerHTML: string };
  return node.outerHTML;
}
