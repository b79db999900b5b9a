import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XylenError, type FeatureMatrix } from '../engine/index.ts';
import { SHARED_MODELS } from '../test/paths.ts';
import { bindModel, loadModel, outputFromProbabilities } from './index.ts';

const versions = JSON.parse(await readFile(join(SHARED_MODELS, 'versions.json'), 'utf8')) as { features: string[] };
const loadSoftprob = () => loadModel(join(SHARED_MODELS, 'xgb_softprob.json'), { card: { features: versions.features } });

/** A matrix whose columns are the model's features shuffled, with unrelated columns between them. */
function matrixOf(rows: number[][], names: string[]): FeatureMatrix {
  return { names, rows: rows.length, width: names.length, values: Float64Array.from(rows.flat()), time: Float64Array.from(rows, (_, r) => r) };
}

describe('bindModel', () => {
  it('property: picks the model inputs by name from any column order, and warm-up rows hold without reaching the model', async () => {
    const runtime = await loadSoftprob();
    const fixtureRows = (await readFile(join(SHARED_MODELS, 'xgb_softprob.inputs.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...versions.features, 'extra_a', 'extra_b'], { minLength: 12, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: fixtureRows.length - 1 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        async (names, picks, warm) => {
          const rows = picks.map((p, r) => names.map((name) => (name.startsWith('extra') ? 1e6 : warm[r] ? fixtureRows[p]![versions.features.indexOf(name)]! : Number.NaN)));
          const before = runtime.health().rows;
          const batch = await bindModel(runtime, names, 'xgb').predictBatch(matrixOf(rows, names));
          const warmRows = picks.map((p, r) => ({ p, r })).filter(({ r }) => warm[r]);
          expect(runtime.health().rows - before).toBe(warmRows.length);
          const direct = await runtime.predict(Float32Array.from(warmRows.flatMap(({ p }) => fixtureRows[p]!)), warmRows.length);
          let i = 0;
          picks.forEach((_, r) => {
            if (warm[r]) {
              expect(batch.action[r]).toBe(direct.action[i]);
              expect(batch.confidence[r]).toBe(direct.confidence[i++]);
            } else {
              expect(batch.action[r]).toBe(0);
              expect(batch.confidence[r]).toBe(0);
            }
          });
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('a feature the engine does not have fails when binding, naming it and listing what the engine has', async () => {
    const runtime = await loadSoftprob();
    const engine = versions.features.filter((f) => f !== 'vol_z').concat('volume_z_48');
    const error = (() => {
      try {
        bindModel(runtime, engine, 'xgb');
      } catch (e) {
        return e as XylenError;
      }
    })();
    expect(error).toBeInstanceOf(XylenError);
    expect(error?.code).toBe('MODEL_FEATURE_MISSING');
    expect(error?.message).toContain('"vol_z"');
    expect(error?.hint).toContain('volume_z_48');
  });
});

describe('outputFromProbabilities', () => {
  it('property: the action is the unique most probable class with its probability; a tie for the top holds', () => {
    const classes = ['short', 'hold', 'long'] as const;
    const codes = { short: -1, hold: 0, long: 1 } as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0, 0.25, 0.5), fc.constantFrom(0, 0.25, 0.5), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 20 }), (rows) => {
        const out = outputFromProbabilities(Float64Array.from(rows.flat()), rows.length, classes);
        rows.forEach((p, r) => {
          const top = Math.max(...p);
          const winners = p.flatMap((v, c) => (v === top ? [c] : []));
          expect(out.confidence[r]).toBe(top);
          expect(out.action[r]).toBe(winners.length > 1 ? 0 : codes[classes[winners[0]!]!]);
        });
      }),
      { seed: 3 },
    );
  });
});
