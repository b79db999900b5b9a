/**
 * A diverging ramp for the dark theme: red (losses) through the panel colour to green (gains), in `steps` colours
 * (odd, so that the middle one is neutral). Used with Plot's `quantize` colour scales, whose legend needs no canvas.
 */
export function divergingRamp(steps = 11, low = '#ff5c7a', middle = '#1a2340', high = '#3ddc97'): string[] {
  const half = Math.floor(steps / 2);
  const out: string[] = [];
  for (let i = 0; i < steps; i++) {
    const t = (i - half) / half;
    out.push(t < 0 ? mix(middle, low, -t) : mix(middle, high, t));
  }
  return out;
}

/** A sequential ramp from the panel colour to electric blue. */
export function sequentialRamp(steps = 9, low = '#0f1a33', high = '#5cc8ff'): string[] {
  return Array.from({ length: steps }, (_, i) => mix(low, high, steps === 1 ? 1 : i / (steps - 1)));
}

function mix(a: string, b: string, t: number): string {
  const pa = parse(a);
  const pb = parse(b);
  const c = pa.map((v, i) => Math.round(v + (pb[i]! - v) * t));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function parse(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
