import { predictionAt, type BatchModel, type FeatureMatrix, type ModelClient, type ModelRequest, type Prediction, type TradeOutcome } from '../engine/index.ts';

/**
 * A batch model (the built-in rules) asked one snapshot at a time: the live counterpart of PrecomputedModelClient.
 * It keeps the last two feature rows as a tiny matrix (rules may read the previous row for a cross) and answers from
 * the batch prediction of the newest one, so a live vote equals the replay's vote for the same row.
 */
export class StreamingModelClient implements ModelClient {
  private readonly matrix: FeatureMatrix;

  constructor(
    private readonly model: BatchModel,
    names: readonly string[],
  ) {
    const width = names.length;
    this.matrix = { names, rows: 2, width, values: new Float64Array(2 * width).fill(Number.NaN), time: new Float64Array(2) };
  }

  get name(): string {
    return this.model.name;
  }

  predict(request: ModelRequest): Promise<Prediction> {
    return Promise.resolve(this.predictNow(request));
  }

  predictNow(request: ModelRequest): Prediction {
    const { values, width, time } = this.matrix;
    if (time[1] !== request.ts) {
      values.copyWithin(0, width, 2 * width);
      values.set(request.features, width);
      time[0] = time[1]!;
      time[1] = request.ts;
    }
    const batch = this.model.predictBatch(this.matrix);
    if (batch instanceof Promise) throw new Error(`model ${this.model.name} is asynchronous; serve it over HTTP or in-process instead`);
    return predictionAt(batch, 1);
  }

  retrain(_outcomes: readonly TradeOutcome[]): Promise<void> {
    return Promise.resolve();
  }
}
