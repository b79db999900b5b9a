import type { ModelCard } from '../ModelCard.ts';
import type { ModelHealth, ModelOutput, ModelRuntime } from '../ModelRuntime.ts';

interface Slot {
  runtime: ModelRuntime;
  inflight: number;
  drained?: () => void;
}

/**
 * The model a server answers with, replaceable while it serves: `swap` makes the next model the one every later
 * `predict` uses in a single assignment (a request is answered wholly by the old model or wholly by the new one),
 * then closes the old model once the predictions it started have finished.
 */
export class ServedModel implements ModelRuntime {
  private current: Slot;
  private swaps = 0;

  constructor(runtime: ModelRuntime) {
    this.current = { runtime, inflight: 0 };
  }

  get card(): ModelCard {
    return this.current.runtime.card;
  }

  get path(): string {
    return this.current.runtime.path;
  }

  /** The model serving now (a retrain predicts the held-out rows with it to compare). */
  get runtime(): ModelRuntime {
    return this.current.runtime;
  }

  /** Models swapped in since the server started. */
  get swapCount(): number {
    return this.swaps;
  }

  /** The current model's answer, saying which model gave it (`output.model`). */
  predict(rows: Float32Array, n: number): Promise<ModelOutput> | ModelOutput {
    const slot = this.current;
    const model = { id: slot.runtime.card.id, version: slot.runtime.card.version };
    const output = slot.runtime.predict(rows, n);
    if (!(output instanceof Promise)) return { ...output, model };
    slot.inflight++;
    return output
      .then((answer) => ({ ...answer, model }))
      .finally(() => {
        if (--slot.inflight === 0) slot.drained?.();
      });
  }

  health(): ModelHealth {
    return this.current.runtime.health();
  }

  /** Serve `next` from now on; resolves once the old model has finished its predictions and is closed. */
  async swap(next: ModelRuntime): Promise<void> {
    const old = this.current;
    this.current = { runtime: next, inflight: 0 };
    this.swaps++;
    if (old.inflight > 0) await new Promise<void>((done) => (old.drained = done));
    await old.runtime.close();
  }

  async close(): Promise<void> {
    await this.current.runtime.close();
  }
}
