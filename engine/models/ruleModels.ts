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
  /** Writes action and confidence for row r from the row's inputs (and the previous row's, for crosses). */
  score(inputs: Float64Array[], r: number, out: BatchPredictions): void;
}

const squash = (x: number) => Math.tanh(Math.max(0, x));

const RULES: Record<RuleName, RuleDefinition> = {
  // Trend: the last hour's return, in units of the volatility expected over that hour, agreeing with the EMA(21) side.
  momentum: {
    features: ['ret_12', 'atr_rel_14', 'ema_dist_21'],
    score([ret12, atrRel, emaDist], r, out) {
      const z = ret12![r]! / (atrRel![r]! * Math.sqrt(12));
      const side = Math.sign(z) === Math.sign(emaDist![r]!) ? Math.sign(z) : 0;
      set(out, r, Math.abs(z) > 0.5 ? side : 0, squash(Math.abs(z) - 0.2));
    },
  },
  // Fade moves outside the Bollinger bands: below the lower band long, above the upper band short.
  mean_reversion: {
    features: ['bb_pctb_20'],
    score([pctb], r, out) {
      const p = pctb![r]!;
      const beyond = p < 0 ? -p : p > 1 ? p - 1 : 0;
      set(out, r, p < 0 ? 1 : p > 1 ? -1 : 0, squash(0.6 + 4 * beyond));
    },
  },
  // MACD histogram sign: long while the line is above its signal, short below; strength relative to volatility.
  macd_cross: {
    features: ['macd_hist_rel', 'atr_rel_14'],
    score([hist, atrRel], r, out) {
      const strength = Math.abs(hist![r]!) / atrRel![r]!;
      set(out, r, Math.sign(hist![r]!), squash(0.4 + 2 * strength));
    },
  },
  // RSI momentum reading: above 55 long, below 45 short, stronger towards the extremes.
  rsi: {
    features: ['rsi_14'],
    score([rsi], r, out) {
      const v = rsi![r]!;
      const side = v > 55 ? 1 : v < 45 ? -1 : 0;
      set(out, r, side, squash(0.5 + Math.abs(v - 50) / 25));
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
      const inputs = definition.features.map((feature) => column(matrix, feature, name));
      const out: BatchPredictions = { action: new Int8Array(matrix.rows), confidence: new Float64Array(matrix.rows) };
      for (let r = 0; r < matrix.rows; r++) {
        if (anyNaN(inputs, r)) continue; // warm-up: hold, confidence 0
        definition.score(inputs, r, out);
      }
      return out;
    },
  };
}

/** Whether any input is NaN at row r (a loop: a closure per row cost more than the rules). */
function anyNaN(inputs: readonly Float64Array[], r: number): boolean {
  for (const c of inputs) if (Number.isNaN(c[r]!)) return true;
  return false;
}

function column(matrix: FeatureMatrix, feature: string, model: string): Float64Array {
  const c = matrix.names.indexOf(feature);
  if (c < 0) {
    throw inputError('MODEL_FEATURE_MISSING', `model "${model}" needs feature "${feature}", which the feature set does not have`, {
      hint: `available features: ${matrix.names.join(', ')}`,
    });
  }
  const out = new Float64Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) out[r] = matrix.values[r * matrix.width + c]!;
  return out;
}
