import { assertNever } from '../assertNever.ts';
import { ModelRecord } from './ModelRecord.ts';
import type { Action, Prediction, Vote } from './Prediction.ts';

export const ENSEMBLE_METHODS = ['weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority'] as const;
export type EnsembleMethod = (typeof ENSEMBLE_METHODS)[number];

export interface EnsembleOptions {
  method: EnsembleMethod;
  /** Minimum number of answering models; fewer gives a `NO_QUORUM` hold. */
  quorum: number;
  /** Configured base weight per model name (missing = 1). */
  weights: Record<string, number>;
  /** Adaptive-weight record length and decay (see ModelRecord). */
  window: number;
  decay: number;
}

export interface EnsembleDecision {
  status: 'DECIDED' | 'NO_QUORUM';
  action: Action;
  /** Aggregate confidence in `action`, in [0, 1]. */
  confidence: number;
  /** Per-action score before the argmax (method-specific scale, documented on each method). */
  scores: Record<Action, number>;
  votes: Vote[];
  /** Weighted mean of the protective levels proposed by the models that voted for `action`. */
  stopLoss?: number;
  takeProfit?: number;
}

/**
 * Aggregates model predictions into one decision. Methods:
 * - `majority`: one model, one vote; the most-voted action wins; confidence = its share of votes.
 * - `average_confidence`: score(a) = Σ confidence of the models voting a / number answering.
 * - `weighted_vote`: score(a) = Σ wᵢ·cᵢ over models voting a / Σ wᵢ over all answering, with
 *   wᵢ = configured weight × the model's adaptive multiplier (ModelRecord).
 * - `bayesian_weighted`: each model's reliability pᵢ is the posterior mean of a Beta(1 + hits, 1 + misses)
 *   over its decayed record. Treating the votes as independent evidence (naive Bayes, flat prior), the
 *   log-odds of "long is right rather than short" is L = Σ sᵢ·wᵢ·logit(pᵢ), sᵢ = +1 for long, −1 for short,
 *   0 for hold, wᵢ the configured weight (1 = plain naive Bayes). The decision is the sign of L with
 *   confidence σ(|L|); with L = 0 (no evidence) it holds. A model with no record has p = ½ and adds nothing,
 *   so this method stays out of the market until models have earned trust; seed records with `recordOutcome`.
 * Ties between long and short (or with hold on top) resolve to hold: the ensemble never flips a coin.
 */
export class Ensemble {
  private readonly records = new Map<string, ModelRecord>();

  constructor(readonly options: EnsembleOptions) {}

  record(model: string): ModelRecord {
    let record = this.records.get(model);
    if (!record) {
      record = new ModelRecord(this.options.window, this.options.decay);
      this.records.set(model, record);
    }
    return record;
  }

  /** Feed back whether a model's directional call turned out right (a closed trade's outcome). */
  recordOutcome(model: string, hit: boolean): void {
    this.record(model).record(hit);
  }

  weightOf(model: string): number {
    return (this.options.weights[model] ?? 1) * this.record(model).weightMultiplier();
  }

  decide(predictions: ReadonlyMap<string, Prediction>): EnsembleDecision {
    const names = [...predictions.keys()].sort();
    const votes: Vote[] = names.map((model) => {
      const p = predictions.get(model)!;
      return { model, action: p.action, confidence: clamp01(p.confidence), weight: this.voteWeight(model) };
    });
    const scores: Record<Action, number> = { long: 0, short: 0, hold: 0 };
    if (votes.length < this.options.quorum || votes.length === 0) {
      return { status: 'NO_QUORUM', action: 'hold', confidence: 0, scores, votes };
    }
    const method = this.options.method;
    switch (method) {
      case 'majority':
        for (const v of votes) scores[v.action] += 1 / votes.length;
        return this.finish(scores, votes, predictions);
      case 'average_confidence':
        for (const v of votes) scores[v.action] += v.confidence / votes.length;
        return this.finish(scores, votes, predictions);
      case 'weighted_vote': {
        const total = votes.reduce((sum, v) => sum + v.weight, 0);
        if (total > 0) for (const v of votes) scores[v.action] += (v.weight * v.confidence) / total;
        return this.finish(scores, votes, predictions);
      }
      case 'bayesian_weighted': {
        let logOdds = 0;
        for (const v of votes) {
          const p = this.record(v.model).hitRate();
          const sign = v.action === 'long' ? 1 : v.action === 'short' ? -1 : 0;
          logOdds += sign * (this.options.weights[v.model] ?? 1) * Math.log(p / (1 - p));
        }
        const confidence = 1 / (1 + Math.exp(-Math.abs(logOdds)));
        scores.long = logOdds > 0 ? confidence : 1 - confidence;
        scores.short = 1 - scores.long;
        const action: Action = logOdds > 1e-12 ? 'long' : logOdds < -1e-12 ? 'short' : 'hold';
        return this.withLevels({ status: 'DECIDED', action, confidence: action === 'hold' ? 0 : confidence, scores, votes }, predictions);
      }
      default:
        return assertNever(method, 'ensemble method');
    }
  }

  private voteWeight(model: string): number {
    return this.options.method === 'weighted_vote' || this.options.method === 'bayesian_weighted' ? this.weightOf(model) : 1;
  }

  private finish(scores: Record<Action, number>, votes: Vote[], predictions: ReadonlyMap<string, Prediction>): EnsembleDecision {
    const best = Math.max(scores.long, scores.short, scores.hold);
    const leaders = (['long', 'short', 'hold'] as const).filter((a) => Math.abs(scores[a] - best) < 1e-12);
    const action: Action = leaders.length === 1 ? leaders[0]! : 'hold';
    return this.withLevels({ status: 'DECIDED', action, confidence: action === 'hold' && leaders.length > 1 ? 0 : best, scores, votes }, predictions);
  }

  private withLevels(decision: EnsembleDecision, predictions: ReadonlyMap<string, Prediction>): EnsembleDecision {
    if (decision.action === 'hold') return decision;
    const stopLoss = weightedLevel(decision.votes, predictions, decision.action, 'stopLoss');
    const takeProfit = weightedLevel(decision.votes, predictions, decision.action, 'takeProfit');
    return {
      ...decision,
      ...(stopLoss === undefined ? {} : { stopLoss }),
      ...(takeProfit === undefined ? {} : { takeProfit }),
    };
  }
}

function weightedLevel(votes: Vote[], predictions: ReadonlyMap<string, Prediction>, action: Action, key: 'stopLoss' | 'takeProfit'): number | undefined {
  let sum = 0;
  let weights = 0;
  for (const v of votes) {
    const level = predictions.get(v.model)?.[key];
    if (v.action !== action || level === undefined || !(level > 0)) continue;
    const w = Math.max(v.weight * v.confidence, 1e-12);
    sum += w * level;
    weights += w;
  }
  return weights > 0 ? sum / weights : undefined;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
