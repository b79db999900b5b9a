import { invariantError } from '../engine/index.ts';
import type { ModelCard } from './ModelCard.ts';
import { checkInput, type ModelOutput, type ModelRuntime } from './ModelRuntime.ts';

/**
 * A runtime from a model's own predict and close, with what every runtime adds around them: the input checked
 * against the card, a closed model refusing to predict, and the calls and rows counted for /health.
 */
export function meteredRuntime(
  card: ModelCard,
  path: string,
  model: { predict(rows: Float32Array, n: number): Promise<ModelOutput> | ModelOutput; close(): Promise<void> | void },
): ModelRuntime {
  let calls = 0;
  let rows = 0;
  let closed = false;
  return {
    card,
    path,
    predict(input: Float32Array, n: number) {
      checkInput(card, input, n);
      if (closed) throw invariantError('MODEL_CLOSED', `model "${card.id}" was closed; load it again to predict`, { where: path });
      calls++;
      rows += n;
      return model.predict(input, n);
    },
    health: () => ({ status: closed ? 'closed' : 'ok', id: card.id, version: card.version, kind: card.kind, path, calls, rows }),
    async close() {
      if (closed) return;
      closed = true;
      await model.close();
    },
  };
}
