import type { ModelClient, ModelRequest, Prediction, TradeOutcome } from '../../engine/index.ts';
import type { ModelRuntime } from '../index.ts';
import { modelColumns, predictRows, type SampleStore } from '../server/index.ts';

/**
 * A loaded model as a ModelClient, asked one snapshot at a time like a model server but without HTTP: the same
 * column mapping by name and the same missing-input rule as the server (predictRows), so both answer alike. The
 * replay's batched path is bindModel; this is for live runs that keep a model in-process.
 */
export class InProcessModelClient implements ModelClient {
  readonly name: string;
  private readonly samples: SampleStore | undefined;
  private columnsFor: { names: readonly string[]; columns: Int32Array } | undefined;

  constructor(
    private readonly runtime: ModelRuntime,
    options: { name?: string; samples?: SampleStore } = {},
  ) {
    this.name = options.name ?? runtime.card.id;
    this.samples = options.samples;
  }

  async predict(request: ModelRequest): Promise<Prediction> {
    // The engine passes the same names array at every decision: map it once.
    if (this.columnsFor?.names !== request.names) this.columnsFor = { names: request.names, columns: modelColumns(this.runtime, request.names) };
    const { columns } = this.columnsFor;
    const input = Float32Array.from(columns, (c) => request.features[c]!);
    const [answer] = await predictRows(this.runtime, input, 1);
    return { action: answer!.action, confidence: answer!.confidence };
  }

  /** Appends the outcomes to the sample store when there is one (as the server's /retrain does). */
  async retrain(outcomes: readonly TradeOutcome[]): Promise<void> {
    if (this.samples && outcomes.length > 0) await this.samples.append(outcomes.map((o) => ({ model: { id: this.runtime.card.id, version: this.runtime.card.version }, ...o })));
  }
}
