import { inputError } from '../XylenError.ts';
import type { FeatureMatrix } from '../features/FeatureMatrix.ts';
import { ACTION_CODE, type BatchModel, type BatchPredictions } from './RuleModel.ts';

/**
 * The built-in rule models: transparent baselines that vote through the same port as trained models, so the
 * engine is complete without any model file. Each reads a few columns of the feature matrix; a row with a
 * NaN input (warm-up) holds with confidence 0. Confidences grow smoothly with the strength of the signal.
 */
export type RuleName = 'momentum' | 'mean_reversion' | 'macd_cross' | 'rsi';
export const RULE_NAMES: readonly RuleName[] = ['momentum', 'mean_reversion', 'macd_cross', 'rsi'];

interface RuleDefinition {
  features: readonly string[];
  /**
   * Writes action and confidence for every row into `out`, reading the rule's features (in `features` order) at
   * `at[k] + r * width` of `values`. Each rule has a loop of its own: one shared loop calling a rule per row was
   * a megamorphic call per row, and cost more than the rules.
   */
  scoreAll(values: Float64Array, width: number, rows: number, at: readonly number[], out: BatchPredictions): void;
}

const squash = (x: number) => Math.tanh(Math.max(0, x));

const RULES: Record<RuleName, RuleDefinition> = {
  // Trend: the last hour's return, in units of the volatility expected over that hour, agreeing with the EMA(21) side.
  momentum: {
    features: ['ret_12', 'atr_rel_14', 'ema_dist_21'],
    scoreAll(values, width, rows, [ret12, atrRel, emaDist], out) {
      const hourly = Math.sqrt(12);
      for (let r = 0, i = 0; r < rows; r++, i += width) {
        const ret = values[i + ret12!]!;
        const atr = values[i + atrRel!]!;
        const ema = values[i + emaDist!]!;
        if (ret !== ret || atr !== atr || ema !== ema) continue; // warm-up: hold, confidence 0
        const z = ret / (atr * hourly);
        const side = Math.sign(z) === Math.sign(ema) ? Math.sign(z) : 0;
        set(out, r, Math.abs(z) > 0.5 ? side : 0, squash(Math.abs(z) - 0.2));
      }
    },
  },
  // Fade moves outside the Bollinger bands: below the lower band long, above the upper band short.
  mean_reversion: {
    features: ['bb_pctb_20'],
    scoreAll(values, width, rows, [pctb], out) {
      for (let r = 0, i = 0; r < rows; r++, i += width) {
        const p = values[i + pctb!]!;
        if (p !== p) continue;
        const beyond = p < 0 ? -p : p > 1 ? p - 1 : 0;
        set(out, r, p < 0 ? 1 : p > 1 ? -1 : 0, squash(0.6 + 4 * beyond));
      }
    },
  },
  // MACD histogram sign: long while the line is above its signal, short below; strength relative to volatility.
  macd_cross: {
    features: ['macd_hist_rel', 'atr_rel_14'],
    scoreAll(values, width, rows, [hist, atrRel], out) {
      for (let r = 0, i = 0; r < rows; r++, i += width) {
        const h = values[i + hist!]!;
        const atr = values[i + atrRel!]!;
        if (h !== h || atr !== atr) continue;
        set(out, r, Math.sign(h), squash(0.4 + 2 * (Math.abs(h) / atr)));
      }
    },
  },
  // RSI momentum reading: above 55 long, below 45 short, stronger towards the extremes.
  rsi: {
    features: ['rsi_14'],
    scoreAll(values, width, rows, [rsi], out) {
      for (let r = 0, i = 0; r < rows; r++, i += width) {
        const v = values[i + rsi!]!;
        if (v !== v) continue;
        const side = v > 55 ? 1 : v < 45 ? -1 : 0;
        set(out, r, side, squash(0.5 + Math.abs(v - 50) / 25));
      }
    },
  },
};

function set(out: BatchPredictions, r: number, side: number, confidence: number): void {
  out.action[r] = side === 0 || Number.isNaN(confidence) ? ACTION_CODE.hold : side > 0 ? ACTION_CODE.long : ACTION_CODE.short;
  out.confidence[r] = out.action[r] === ACTION_CODE.hold || Number.isNaN(confidence) ? 0 : Math.min(1, confidence);
}

export function ruleModel(rule: RuleName, name: string = rule): BatchModel {
  const definition = RULES[rule];
  return {
    name,
    features: definition.features,
    predictBatch(matrix: FeatureMatrix): BatchPredictions {
      const at = definition.features.map((feature) => column(matrix, feature, name));
      const out: BatchPredictions = { action: new Int8Array(matrix.rows), confidence: new Float64Array(matrix.rows) };
      definition.scoreAll(matrix.values, matrix.width, matrix.rows, at, out);
      return out;
    },
  };
}

/** The matrix column of `feature`, or the error that says which model needs it. */
function column(matrix: FeatureMatrix, feature: string, model: string): number {
  const c = matrix.names.indexOf(feature);
  if (c < 0) {
    throw inputError('MODEL_FEATURE_MISSING', `model "${model}" needs feature "${feature}", which the feature set does not have`, {
      hint: `available features: ${matrix.names.join(', ')}`,
    });
  }
  return c;
}
