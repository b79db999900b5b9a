import { assertNever } from '../assertNever.ts';
import { ModelRecord } from './ModelRecord.ts';
import type { Action, Prediction, Vote } from './Prediction.ts';

/** Pseudo-observations behind a model's stated confidence in `bayesian_weighted`: its record outweighs it after ~10 trades. */
export const PRIOR_STRENGTH = 10;

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
 * The decision, vote slots and scores the ensemble rewrites at each call. Classes with NaN numbers, not object
 * literals with zeros: a field that starts as an integer is re-typed at its first fraction, and with literals the
 * objects of each new run met the decision's optimised code in a shape it no longer expected (V8's trace showed
 * `decide` deoptimised in every run); a class's shape stays the one its code was compiled for.
 */
class Decision implements EnsembleDecision {
  status: 'DECIDED' | 'NO_QUORUM' = 'DECIDED';
  action: Action = 'hold';
  confidence = Number.NaN;
  readonly scores = new DecisionScores();
  readonly votes: DecisionVote[] = [];
  stopLoss: number | undefined = undefined;
  takeProfit: number | undefined = undefined;
}

class DecisionVote implements Vote {
  action: Action = 'hold';
  confidence = Number.NaN;
  weight = Number.NaN;

  constructor(public model: string) {}
}

class DecisionScores implements Record<Action, number> {
  long = Number.NaN;
  short = Number.NaN;
  hold = Number.NaN;
}

/**
 * Aggregates model predictions into one decision. Methods:
 * - `majority`: one model, one vote; the most-voted action wins; confidence = its share of votes.
 * - `average_confidence`: score(a) = Σ confidence of the models voting a / number answering.
 * - `weighted_vote`: score(a) = Σ wᵢ·cᵢ over models voting a / Σ wᵢ over all answering, with
 *   wᵢ = configured weight × the model's adaptive multiplier (ModelRecord).
 * - `bayesian_weighted`: each vote's probability of being right, qᵢ, is the posterior mean of a Beta whose prior
 *   is centred on the model's own confidence cᵢ with PRIOR_STRENGTH pseudo-observations and whose likelihood is the
 *   model's decayed record: qᵢ = (k·cᵢ + hits) / (k + hits + misses), k = PRIOR_STRENGTH. A new model is taken at its
 *   word; a model with a record is pulled towards its actual hit rate. Treating votes as independent evidence
 *   (naive Bayes, flat prior on the direction), the log-odds of "long is right rather than short" is
 *   L = Σ sᵢ·wᵢ·logit(max(qᵢ, ½)), sᵢ = +1 long, −1 short, 0 hold, wᵢ the configured weight (1 = plain naive Bayes);
 *   a vote no better than a coin adds nothing. The decision is the sign of L with confidence σ(|L|). Naive Bayes
 *   is overconfident when models are correlated, so its confidences run higher than the other methods': set the
 *   threshold accordingly.
 * Ties between long and short (or with hold on top) resolve to hold: the ensemble never flips a coin.
 */
export class Ensemble {
  private readonly records = new Map<string, ModelRecord>();
  /** The last answering set's names, sorted: the same models usually answer, so the sort is done once. */
  private sortedNames: string[] = [];
  /** What `decide` returns, rewritten by each call (its vote objects too). */
  private readonly decision = new Decision();

  /** Per vote slot, the slot's model's record and configured weight: looked up when a slot's model changes, not at every decision. */
  private readonly slotRecords: ModelRecord[] = [];
  private readonly slotWeights: number[] = [];
  /** Whether votes are weighted by the models' records (`weighted_vote`, `bayesian_weighted`). */
  private readonly adaptive: boolean;

  constructor(readonly options: EnsembleOptions) {
    this.adaptive = options.method === 'weighted_vote' || options.method === 'bayesian_weighted';
  }

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

  /**
   * Aggregate one set of answers. The decision returned (with its votes and scores) is the ensemble's own and is
   * rewritten by the next call, so a decision per heartbeat allocates nothing: copy what you keep.
   */
  decide(predictions: ReadonlyMap<string, Prediction>): EnsembleDecision {
    const decision = this.decision;
    const { votes, scores } = decision;
    // The same models usually answer: the sorted names of the last call, checked by the lookups the loop makes anyway.
    let sorted = this.sortedNames.length !== predictions.size;
    let names = sorted ? this.sortNames(predictions) : this.sortedNames;
    // Set only when it changes: an array's length setter is a slow call even when the length stays the same.
    if (votes.length !== names.length) votes.length = names.length;
    for (let i = 0; i < names.length; i++) {
      const model = names[i]!;
      const p = predictions.get(model);
      if (p === undefined) {
        if (sorted) throw new TypeError(`model ${model} answered without a prediction`);
        // Another model answered in place of one of the last call's: sort again and start over.
        names = this.sortNames(predictions);
        sorted = true;
        i = -1;
        continue;
      }
      let vote = votes[i];
      if (vote === undefined || vote.model !== model) {
        vote = votes[i] = new DecisionVote(model);
        this.slotRecords[i] = this.record(model);
        this.slotWeights[i] = this.options.weights[model] ?? 1;
      }
      vote.action = p.action;
      vote.confidence = clamp01(p.confidence);
      vote.weight = this.adaptive ? this.slotWeights[i]! * this.slotRecords[i]!.weightMultiplier() : 1;
    }
    scores.long = 0;
    scores.short = 0;
    scores.hold = 0;
    decision.stopLoss = undefined;
    decision.takeProfit = undefined;
    if (votes.length < this.options.quorum || votes.length === 0) return this.set('NO_QUORUM', 'hold', 0);
    const method = this.options.method;
    switch (method) {
      case 'majority':
        for (const v of votes) addScore(scores, v.action, 1 / votes.length);
        return this.finish(predictions);
      case 'average_confidence':
        for (const v of votes) addScore(scores, v.action, v.confidence / votes.length);
        return this.finish(predictions);
      case 'weighted_vote': {
        let total = 0;
        for (const v of votes) total += v.weight;
        if (total > 0) for (const v of votes) addScore(scores, v.action, (v.weight * v.confidence) / total);
        return this.finish(predictions);
      }
      case 'bayesian_weighted': {
        let logOdds = 0;
        for (let i = 0; i < votes.length; i++) {
          const v = votes[i]!;
          const sign = v.action === 'long' ? 1 : v.action === 'short' ? -1 : 0;
          if (sign === 0) continue;
          const { hits, misses } = this.slotRecords[i]!.tallies();
          const q = Math.min(1 - 1e-6, Math.max(0.5, (PRIOR_STRENGTH * v.confidence + hits) / (PRIOR_STRENGTH + hits + misses)));
          logOdds += sign * this.slotWeights[i]! * Math.log(q / (1 - q));
        }
        const confidence = 1 / (1 + Math.exp(-Math.abs(logOdds)));
        scores.long = logOdds > 0 ? confidence : 1 - confidence;
        scores.short = 1 - scores.long;
        const action: Action = logOdds > 1e-12 ? 'long' : logOdds < -1e-12 ? 'short' : 'hold';
        return this.withLevels(this.set('DECIDED', action, action === 'hold' ? 0 : confidence), predictions);
      }
      default:
        return assertNever(method, 'ensemble method');
    }
  }

  private sortNames(predictions: ReadonlyMap<string, Prediction>): readonly string[] {
    this.sortedNames = [...predictions.keys()].sort();
    return this.sortedNames;
  }

  /** The argmax of the scores; a tie at the top is a hold with confidence 0. */
  private finish(predictions: ReadonlyMap<string, Prediction>): EnsembleDecision {
    const { long, short, hold } = this.decision.scores;
    const best = Math.max(long, short, hold);
    const leadsLong = Math.abs(long - best) < 1e-12;
    const leadsShort = Math.abs(short - best) < 1e-12;
    const leaders = (leadsLong ? 1 : 0) + (leadsShort ? 1 : 0) + (Math.abs(hold - best) < 1e-12 ? 1 : 0);
    const action: Action = leaders === 1 && leadsLong ? 'long' : leaders === 1 && leadsShort ? 'short' : 'hold';
    return this.withLevels(this.set('DECIDED', action, action === 'hold' && leaders > 1 ? 0 : best), predictions);
  }

  private set(status: EnsembleDecision['status'], action: Action, confidence: number): EnsembleDecision {
    const decision = this.decision;
    decision.status = status;
    decision.action = action;
    decision.confidence = confidence;
    return decision;
  }

  /** Adds the protective levels proposed by the winning side. */
  private withLevels(decision: EnsembleDecision, predictions: ReadonlyMap<string, Prediction>): EnsembleDecision {
    if (decision.action === 'hold' || !anyLevels(predictions)) return decision;
    decision.stopLoss = weightedLevel(decision.votes, predictions, decision.action, 'stopLoss');
    decision.takeProfit = weightedLevel(decision.votes, predictions, decision.action, 'takeProfit');
    return decision;
  }
}

/** Whether any model proposed a stop-loss or take-profit (most do not: then there is nothing to average). */
function anyLevels(predictions: ReadonlyMap<string, Prediction>): boolean {
  for (const p of predictions.values()) if (p.stopLoss !== undefined || p.takeProfit !== undefined) return true;
  return false;
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

/**
 * Add to an action's score. Named fields, not `scores[action]`: a store through a computed key is a generic store,
 * which boxes each number anew.
 */
function addScore(scores: DecisionScores, action: Action, x: number): void {
  if (action === 'long') scores.long += x;
  else if (action === 'short') scores.short += x;
  else scores.hold += x;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
