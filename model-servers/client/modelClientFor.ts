import { inputError, type ModelClient } from '../../engine/index.ts';
import type { ModelRuntime } from '../index.ts';
import { HttpModelClient, type HttpModelClientOptions } from './HttpModelClient.ts';
import { InProcessModelClient } from './InProcessModelClient.ts';

export interface ModelClientForOptions {
  /** Name in votes and the journal: the same whichever way the model is reached, so that runs compare. */
  name: string;
  /** Loads the model an `inproc:<id>` endpoint names, `<id>` or `<id>@<version>` (from the registry, or a file). */
  loadInproc: (id: string) => Promise<ModelRuntime>;
  /** Timeouts, retries and the rest for `http://` endpoints. */
  http?: Omit<HttpModelClientOptions, 'url' | 'name'>;
}

/**
 * The one place where a model endpoint of the configuration becomes a client: `inproc:<model-id>` runs the model in
 * this process, `http://host:port` asks a model server. Nothing downstream knows which.
 */
export async function modelClientFor(endpoint: string, options: ModelClientForOptions): Promise<ModelClient & { close(): Promise<void> | void }> {
  if (endpoint.startsWith('inproc:')) {
    const id = endpoint.slice('inproc:'.length);
    if (id === '') throw inputError('MODEL_ENDPOINT_INVALID', `model endpoint "${endpoint}" names no model`, { where: endpoint, hint: 'e.g. inproc:gbdt_5m' });
    const runtime = await options.loadInproc(id);
    const client = new InProcessModelClient(runtime, { name: options.name });
    return { name: client.name, predict: (r) => client.predict(r), retrain: (o) => client.retrain(o), close: () => runtime.close() };
  }
  if (/^http:\/\/[^/]+\/?$/.test(endpoint)) return new HttpModelClient({ ...options.http, url: endpoint, name: options.name });
  throw inputError('MODEL_ENDPOINT_INVALID', `model endpoint "${endpoint}" is neither inproc:<model-id> nor http://host:port`, {
    where: endpoint,
    hint: 'e.g. inproc:gbdt_5m or http://127.0.0.1:8001',
  });
}
