import type { ModelClient, ModelRequest, Prediction, TradeOutcome } from '../../engine/index.ts';
import type { ModelRuntime } from '../index.ts';
import { modelColumns, predictRows } from '../server/predictRows.ts';
import type { SampleStore } from '../server/SampleStore.ts';

/** Decisions whose features are kept for their outcomes (a trade rarely stays open for 10,000 decisions). */
const REMEMBERED_ROWS = 10_000;

/**
 * A loaded model as a ModelClient, asked one snapshot at a time like a model server but without HTTP: the same
 * column mapping by name and the same missing-input rule as the server (predictRows), so both answer alike. The
 * replay's batched path is bindModel; this is for live runs that keep a model in-process.
 */
export class InProcessModelClient implements ModelClient {
  readonly name: string;
  private readonly samples: SampleStore | undefined;
  private columnsFor: { names: readonly string[]; columns: Int32Array } | undefined;
  /** The feature rows asked about, by decision time, so that outcomes can be stored with them (as over HTTP). */
  private readonly asked = new Map<number, Record<string, number | null>>();

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
    if (this.samples) this.remember(request);
    const [answer] = (await predictRows(this.runtime, input, 1)).predictions;
    return { action: answer!.action, confidence: answer!.confidence };
  }

  /** Appends the outcomes, each with the features asked about at its decision, to the sample store when there is one (as /retrain does). */
  async retrain(outcomes: readonly TradeOutcome[]): Promise<void> {
    if (!this.samples || outcomes.length === 0) return;
    const model = { id: this.runtime.card.id, version: this.runtime.card.version };
    await this.samples.append(
      outcomes.map((o) => {
        const features = this.asked.get(o.ts);
        return features ? { model, ...o, features } : { model, ...o };
      }),
    );
  }

  private remember(request: ModelRequest): void {
    const features: Record<string, number | null> = {};
    request.names.forEach((name, i) => {
      const v = request.features[i]!;
      features[name] = Number.isNaN(v) ? null : v;
    });
    this.asked.delete(request.ts);
    this.asked.set(request.ts, features);
    if (this.asked.size > REMEMBERED_ROWS) this.asked.delete(this.asked.keys().next().value!);
  }
}
