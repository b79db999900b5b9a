import type { ModelCard } from '../ModelCard.ts';

/** What a class index means: the trade direction the model votes for. */
export type TradeClass = 'short' | 'hold' | 'long';

/** How the training labels were made (engine/labels), so a retrain can make them the same way. */
export interface LabelSpec {
  kind: 'triple-barrier' | 'forward-return';
  /** Decision intervals until the vertical barrier (triple-barrier) or the return's end (forward-return). */
  horizon: number;
  /** Take-profit fraction (triple-barrier), or the dead zone of a forward-return label: |return| ≤ tp is hold. */
  tp: number;
  /** Stop-loss fraction (triple-barrier); for a forward-return label the same dead zone as tp. */
  sl: number;
}

/** The label of a model retrained by a model server: its posted trade outcomes (see ../server/retrainJob.ts). */
export interface TradeOutcomeLabel {
  kind: 'trade-outcome';
  /** The sample store the outcomes came from. */
  samples: string;
}

export interface TrainingSummary {
  /** Unix ms of the first and last training row's decision time. */
  from: number;
  to: number;
  rows: number;
  /** At least logLoss and accuracy on the held-out (validation or test) rows; trainers may add more. */
  metrics: { logLoss: number; accuracy: number; [name: string]: number };
}

/**
 * The card of a model Xylen trained: the runtime's ModelCard (../ModelCard.ts) with everything a retrain needs
 * made mandatory. Written as the sidecar `<name>.card.json` beside `<name>.onnx` and into the ONNX metadata. The ONNX graph takes one float32 input `features` [N, features.length] in the order of `features`
 * and gives `probabilities` float32 [N, classes.length] in the order of `classes`.
 */
export interface TrainedModelCard extends ModelCard {
  version: number;
  kind: 'gbdt' | 'logreg';
  classes: TradeClass[];
  /** ISO 8601 time the model was made; the caller supplies it so that training stays deterministic. */
  createdAt: string;
  /** Version this one was retrained from. */
  parent?: number;
  training: TrainingSummary;
  label: LabelSpec | TradeOutcomeLabel;
}
