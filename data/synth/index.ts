export { generateSynthetic, intradaySeason } from './generateSynthetic.ts';
export type { SyntheticOptions, SyntheticSeries } from './generateSynthetic.ts';
