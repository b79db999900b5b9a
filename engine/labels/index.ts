// Public API of the labelers: what trainers learn to predict. Other folders import from here.
export type { Labels } from './Labels.ts';
export { tripleBarrierLabels } from './tripleBarrierLabels.ts';
export type { TripleBarrierSpec, BarrierCandles } from './tripleBarrierLabels.ts';
export { forwardReturnLabels } from './forwardReturnLabels.ts';
