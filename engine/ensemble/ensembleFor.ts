import { Ensemble, type EnsembleMethod } from './Ensemble.ts';

/** The config keys an ensemble is built from, in their xylen.yaml spelling. */
export interface EnsembleSettings {
  ensemble: { method: EnsembleMethod; quorum: number; window: number; decay: number };
  models: readonly { name: string; weight: number }[];
}

/** The ensemble a config asks for, built the same way by the replay, live mode and a live promotion. */
export function ensembleFor(config: EnsembleSettings): Ensemble {
  return new Ensemble({
    method: config.ensemble.method,
    quorum: config.ensemble.quorum,
    weights: Object.fromEntries(config.models.map((m) => [m.name, m.weight])),
    window: config.ensemble.window,
    decay: config.ensemble.decay,
  });
}
