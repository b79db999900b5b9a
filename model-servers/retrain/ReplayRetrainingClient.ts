import { ACTION_CODE, predictionAt, type BatchPredictions, type FeatureMatrix, type ModelClient, type ModelRequest, type Prediction, type TradeOutcome } from '../../engine/index.ts';
import { bindModel, completeRows, featureColumns } from '../bindModel.ts';
import { outputFromProbabilities, type ModelRuntime } from '../ModelRuntime.ts';
import type { ModelClass } from '../ModelCard.ts';
import { fitOnSamples, type FitSpec, type LabelledSample } from './fitOnSamples.ts';

export interface ReplayRetrainOptions {
  /** Name in votes and the journal. */
  name: string;
  /** Retrain once this many usable outcomes have come in since the last retrain. */
  every: number;
  /** Learn from at most the latest this many outcomes (default 10,000). */
  window?: number;
  gbdt?: FitSpec['gbdt'];
  logreg?: FitSpec['logreg'];
}

/** One retrain inside a replay. */
export interface ReplayRetrain {
  /** The first matrix row the new model answered (every row before it kept its earlier answer). */
  fromRow: number;
  /** Its decision time (Unix ms). */
  fromTs: number;
  samples: number;
  ok: boolean;
  /** Why it failed (the model before it kept answering). */
  error?: { code: string; message: string };
}

/**
 * A model that retrains at event time inside a replay, deterministically: it answers from a table predicted over the
 * whole feature matrix in one batch (as PrecomputedModelClient), takes each closed trade's outcome as a training row
 * (the features of its decision row, which the replay had at that decision, and its label), and once `every` usable
 * outcomes have come in it trains a new model on them (fitOnSamples, seeded) and re-predicts, in one batch, only the
 * rows after the last one it was asked about. Earlier answers never change, so nothing looks ahead; the same replay
 * gives the same retrains at the same rows, so the journal is the same byte for byte.
 */
export class ReplayRetrainingClient implements ModelClient {
  private readonly samples: LabelledSample[] = [];
  private pending = 0;
  private lastAsked = -1;
  private readonly retrains: ReplayRetrain[] = [];

  private constructor(
    readonly name: string,
    private readonly matrix: FeatureMatrix,
    private readonly columns: Int32Array,
    private readonly classes: readonly ModelClass[],
    private readonly spec: FitSpec,
    private readonly options: ReplayRetrainOptions,
    private readonly table: BatchPredictions,
  ) {}

  /** The runtime's answers for the whole matrix first; the runtime may be closed once this resolves. */
  static async create(runtime: ModelRuntime, matrix: FeatureMatrix, options: ReplayRetrainOptions): Promise<ReplayRetrainingClient> {
    const table = await bindModel(runtime, matrix.names, options.name).predictBatch(matrix);
    const { card } = runtime;
    const spec: FitSpec = {
      id: card.id,
      where: `model ${options.name}`,
      classes: card.classes,
      width: card.features.length,
      trainer: card.kind === 'logreg' ? 'logreg' : 'gbdt',
      ...(options.gbdt ? { gbdt: options.gbdt } : {}),
      ...(options.logreg ? { logreg: options.logreg } : {}),
    };
    return new ReplayRetrainingClient(options.name, matrix, featureColumns(card.features, matrix.names), card.classes, spec, options, table);
  }

  /** The retrains so far, in order. */
  get history(): readonly ReplayRetrain[] {
    return this.retrains;
  }

  predict(request: ModelRequest): Promise<Prediction> {
    return Promise.resolve(this.predictNow(request));
  }

  predictNow(request: ModelRequest): Prediction {
    if (request.row > this.lastAsked) this.lastAsked = request.row;
    return predictionAt(this.table, request.row);
  }

  retrain(outcomes: readonly TradeOutcome[]): Promise<void> {
    for (const outcome of outcomes) {
      const sample = this.sampleOf(outcome);
      if (!sample) continue;
      this.samples.push(sample);
      this.pending++;
    }
    if (this.pending >= this.options.every) this.retrainNow();
    return Promise.resolve();
  }

  private sampleOf(outcome: TradeOutcome): LabelledSample | undefined {
    const y = this.classes.indexOf(outcome.label);
    const { matrix, columns } = this;
    if (y < 0 || outcome.row < 0 || outcome.row >= matrix.rows) return undefined;
    const x = Float32Array.from(columns, (c) => matrix.values[outcome.row * matrix.width + c]!);
    return x.some(Number.isNaN) ? undefined : { ts: outcome.ts, x, y };
  }

  private retrainNow(): void {
    this.pending = 0;
    const window = this.samples.slice(-(this.options.window ?? 10_000));
    const fromRow = this.lastAsked + 1;
    const record: ReplayRetrain = { fromRow, fromTs: this.matrix.time[fromRow] ?? Number.NaN, samples: window.length, ok: true };
    try {
      const fitted = fitOnSamples(window, this.spec);
      this.rebatch(fromRow, (X, rows) => fitted.predict(X, rows));
    } catch (error) {
      const e = error as { code?: string; message: string };
      record.ok = false;
      record.error = { code: e.code ?? 'RETRAIN_FAILED', message: e.message };
    }
    this.retrains.push(record);
  }

  /** Re-predict rows [from, end) with the new model in one batch; a row with a missing input holds, as in bindModel. */
  private rebatch(from: number, predict: (X: Float32Array, rows: number) => Float64Array): void {
    const { table } = this;
    const { input, rowsIn, n } = completeRows(this.matrix, this.columns, from);
    table.action.fill(ACTION_CODE.hold, from);
    table.confidence.fill(0, from);
    const output = outputFromProbabilities(predict(input, n), n, this.classes);
    for (let i = 0; i < n; i++) {
      table.action[rowsIn[i]!] = output.action[i]!;
      table.confidence[rowsIn[i]!] = output.confidence[i]!;
    }
  }
}
