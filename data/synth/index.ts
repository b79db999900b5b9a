export { generateSynthetic, intradaySeason } from './generateSynthetic.ts';
export type { SyntheticOptions, SyntheticSeries } from './generateSynthetic.ts';
export { importSynthetic, SYNTHETIC_MARKET } from './importSynthetic.ts';
export type { ImportSyntheticOptions, ImportSyntheticResult } from './importSynthetic.ts';
