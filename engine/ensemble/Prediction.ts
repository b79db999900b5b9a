/** What a model may say. `hold` is a real vote (stay out), distinct from not answering. */
export const ACTIONS = ['long', 'short', 'hold'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Prediction {
  action: Action;
  /** The model's confidence in its action, in [0, 1]. */
  confidence: number;
  /** Optional protective levels the model proposes, as prices. */
  stopLoss?: number;
  takeProfit?: number;
}

/** A vote as the ensemble saw it: who, what, and the weight it carried (journaled with every decision). */
export interface Vote {
  model: string;
  action: Action;
  confidence: number;
  weight: number;
}

/** Copies of votes, to keep: the ensemble rewrites its own at each decision. */
export function copyVotes(votes: readonly Vote[]): Vote[] {
  return votes.map((v) => ({ ...v }));
}
