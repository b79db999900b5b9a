import type { ModelOutput, ModelRuntime } from '../ModelRuntime.ts';

interface Waiting {
  rows: Float32Array;
  n: number;
  resolve: (output: ModelOutput) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs the predictions asked of `runtime` one model call at a time, and the ones asked while a call is under way
 * together in the next call: when several keep-alive connections send /predict at once, the model runs once for
 * all that arrived meanwhile (an onnxruntime call costs about as much for one row as for a few dozen), and a lone
 * request goes straight to the model without waiting. Each caller gets exactly the rows it asked for: the models
 * are row-wise, so a row's answer does not depend on its batch.
 */
export class PredictionBatcher {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly runtime: ModelRuntime) {}

  /** The batched runtime: the same model and card, with predict going through the batch. */
  get batched(): ModelRuntime {
    const runtime = this.runtime;
    return {
      get card() {
        return runtime.card;
      },
      get path() {
        return runtime.path;
      },
      predict: (rows, n) => this.predict(rows, n),
      health: () => runtime.health(),
      close: () => runtime.close(),
    };
  }

  predict(rows: Float32Array, n: number): Promise<ModelOutput> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, n, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      await this.flush(batch);
    }
    this.running = false;
  }

  private async flush(batch: Waiting[]): Promise<void> {
    const runtime = this.runtime;
    if (batch.length === 1) {
      const only = batch[0]!;
      try {
        only.resolve(await runtime.predict(only.rows, only.n));
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    const width = runtime.card.features.length;
    const k = runtime.card.classes.length;
    let total = 0;
    for (const w of batch) total += w.n;
    const rows = new Float32Array(total * width);
    let at = 0;
    for (const w of batch) {
      rows.set(w.rows.subarray(0, w.n * width), at * width);
      at += w.n;
    }
    let output: ModelOutput;
    try {
      output = await runtime.predict(rows, total);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    at = 0;
    for (const w of batch) {
      w.resolve({
        probabilities: output.probabilities.slice(at * k, (at + w.n) * k),
        action: output.action.slice(at, at + w.n),
        confidence: output.confidence.slice(at, at + w.n),
        ...(output.model ? { model: output.model } : {}),
      });
      at += w.n;
    }
  }
}
