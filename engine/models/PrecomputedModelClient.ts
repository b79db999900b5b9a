import type { Prediction } from '../ensemble/Prediction.ts';
import type { FeatureMatrix } from '../features/FeatureMatrix.ts';
import type { ModelClient, ModelRequest, TradeOutcome } from '../ports/ModelClient.ts';
import { invariantError } from '../XylenError.ts';
import { predictionAt, type BatchModel, type BatchPredictions } from './RuleModel.ts';

/**
 * The replay's in-process model client: predicts the whole feature matrix in one batch up front (one call into
 * the model instead of one per decision), then answers each request from that table by row. The coordinator
 * cannot tell it from an HTTP client. A model that retrains must be re-batched by its owner (`rebatch`).
 */
export class PrecomputedModelClient implements ModelClient {
  private readonly answer: Prediction = { action: 'hold', confidence: 0 };

  private constructor(
    private readonly model: BatchModel,
    private readonly matrix: FeatureMatrix,
    private batch: BatchPredictions,
  ) {}

  /** Predict every row of `matrix` in one batch and answer from that table afterwards. */
  static async create(model: BatchModel, matrix: FeatureMatrix): Promise<PrecomputedModelClient> {
    return new PrecomputedModelClient(model, matrix, await model.predictBatch(matrix));
  }

  get name(): string {
    return this.model.name;
  }

  predict(request: ModelRequest): Promise<Prediction> {
    return Promise.resolve({ ...this.predictNow(request) });
  }

  /** The synchronous answer, for drivers that batch (the value `predict` resolves to), in one object reused by each call. */
  predictNow(request: ModelRequest): Prediction {
    const { row } = request;
    if (row < 0 || row >= this.matrix.rows) {
      throw invariantError('MODEL_ROW_OUT_OF_RANGE', `row ${row} outside the precomputed ${this.matrix.rows} rows`);
    }
    return predictionAt(this.batch, row, this.answer);
  }

  /** Rule models do not learn; trained models re-batch here after a retrain. */
  retrain(_outcomes: readonly TradeOutcome[]): Promise<void> {
    return Promise.resolve();
  }

  async rebatch(): Promise<void> {
    this.batch = await this.model.predictBatch(this.matrix);
  }
}
