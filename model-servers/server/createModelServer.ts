import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { inputError, XylenError } from '../../engine/index.ts';
import type { ModelRuntime } from '../index.ts';
import { LatencyWindow } from './LatencyWindow.ts';
import { PredictionBatcher } from './PredictionBatcher.ts';
import { modelColumns, predictRows } from './predictRows.ts';
import { errorReply, predictBody, predictReply, retrainBody, retrainReply, type PredictBody } from './routeSchemas.ts';
import type { RegistryWriter } from './RegistryWriter.ts';
import type { Retrainer } from './Retrainer.ts';
import { DEFAULT_BODY_LIMIT } from './defaultBodyLimit.ts';
import type { SampleStore } from './SampleStore.ts';

export interface ModelServerOptions {
  runtime: ModelRuntime;
  /** Bearer token every route but /health requires (from an environment variable; never logged). */
  token?: string;
  /** Where /retrain appends trade outcomes; without one, /retrain answers 503. */
  samples?: SampleStore;
  /** Retrains once enough samples are pending (its model must be `runtime`); without one, samples are only stored. */
  retrainer?: Retrainer;
  /** Where retrained versions are registered (reported in /health). */
  registry?: RegistryWriter;
  /** A pino logger; false for none; default: pino to stdout at info. */
  logger?: Logger | false;
  /** Largest request body in bytes (413 above it); default 1 MiB. */
  bodyLimit?: number;
}

export { DEFAULT_BODY_LIMIT };

/**
 * The HTTP face of one loaded model (fastify): POST /predict, POST /retrain, GET /health, GET /metrics. Every body is
 * checked against a JSON schema; errors are `{error: {code, message, field?, hint?}}` with 400 for a malformed body
 * (the field named), 422 for features the model cannot use, 413 for an oversized body, 401 for a missing token.
 * The caller listens (`app.listen({host, port})`) and closes the runtime and the sample store.
 */
export function createModelServer(options: ModelServerOptions): FastifyInstance {
  const { runtime, token, samples, retrainer, registry: registryWriter } = options;
  // The model may change under the server (a retrain swaps it in): read its card per request, never keep it.
  const modelRef = () => ({ id: runtime.card.id, version: runtime.card.version });
  const batched = new PredictionBatcher(runtime).batched;
  const logger = options.logger === undefined ? pino({ level: 'info' }) : options.logger;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Per-request log lines cost more than a prediction; failures are logged below instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Strict bodies: no "1.5" → 1.5 coercion, no silent removal of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;

  const started = performance.now();
  const latency = new LatencyWindow();
  const counts = { total: 0, byRoute: {} as Record<string, number>, byStatus: {} as Record<string, number> };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'xylen_model_server_' });
  const requestCounter = new Counter({
    name: 'xylen_model_server_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const durationHistogram = new Histogram({
    name: 'xylen_model_server_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });

  // Model and retrain state, read from the live objects at each scrape.
  const gauge = (name: string, help: string, value: () => number | undefined, labelNames: string[] = [], labels: () => Record<string, string> = () => ({})) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        // NaN until there is a value (e.g. before the first retrain): 0 would read as a real figure.
        this.set(labels(), value() ?? Number.NaN);
      },
    });
  const numericVersion = () => (typeof runtime.card.version === 'number' ? runtime.card.version : undefined);
  gauge('xylen_model_server_model_version', 'Version of the model serving now', numericVersion, ['model'], () => ({ model: runtime.card.id }));
  gauge('xylen_model_server_samples_pending', 'Samples stored since the last retrain started', () => samples?.pending ?? 0);
  if (retrainer) {
    gauge('xylen_model_server_retrain_running', '1 while a retrain runs', () => (retrainer.state().running ? 1 : 0));
    gauge('xylen_model_server_retrain_min_samples', 'Pending samples that start a retrain', () => retrainer.state().minSamples);
    new Gauge({
      name: 'xylen_model_server_retrains',
      help: 'Retrains finished since start, by result',
      labelNames: ['result'] as const,
      registers: [registry],
      collect() {
        const state = retrainer.state();
        this.set({ result: 'ok' }, state.succeeded);
        this.set({ result: 'failed' }, state.failed);
      },
    });
    gauge('xylen_model_server_last_retrain_duration_seconds', 'Duration of the last finished retrain', () => {
      const last = retrainer.state().last;
      return last ? last.durationMs / 1000 : undefined;
    });
    gauge('xylen_model_server_last_retrain_timestamp_seconds', 'Unix time the last retrain finished', () => {
      const last = retrainer.state().last;
      return last ? Date.parse(last.finishedAt) / 1000 : undefined;
    });
    gauge('xylen_model_server_last_retrain_ok', '1 when the last retrain succeeded, 0 when it failed', () => {
      const last = retrainer.state().last;
      return last ? Number(last.ok) : undefined;
    });
  }
  if (registryWriter) gauge('xylen_model_server_registrations_pending', 'Retrained versions not yet in the registry (store busy)', () => registryWriter.state().pending);

  if (token !== undefined) {
    const expected = digest(token);
    app.addHook('onRequest', (request, reply, done) => {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : undefined;
      if (request.routeOptions.url === '/health' || (given !== undefined && timingSafeEqual(digest(given), expected))) return done();
      void reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required', hint: 'send "Authorization: Bearer <token>"' } });
    });
  }

  const children = new Map<string, { count: { inc(): void }; duration: { observe(value: number): void } }>();
  app.addHook('onResponse', (request, reply, done) => {
    // Unknown paths share one label so that a scanner cannot grow the metrics without bound.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    const key = `${route} ${status}`;
    let child = children.get(key);
    if (!child) {
      // Labelled children are looked up once per (route, status): hashing the labels on every request costs more.
      child = { count: requestCounter.labels({ route, status }), duration: durationHistogram.labels({ route }) };
      children.set(key, child);
    }
    child.count.inc();
    child.duration.observe(ms / 1000);
    counts.total++;
    counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
    const statusClass = `${Math.floor(status / 100)}xx`;
    counts.byStatus[statusClass] = (counts.byStatus[statusClass] ?? 0) + 1;
    if (route === '/predict' && status === 200) latency.add(ms);
    done();
  });

  app.setErrorHandler((error: FastifyError | XylenError, request, reply) => {
    if (error instanceof XylenError && error.kind === 'input') {
      request.log.info({ code: error.code, route: request.routeOptions.url }, error.message);
      return reply.code(error.code === 'BODY_INVALID' ? 400 : 422).send({ error: describe(error) });
    }
    if (!(error instanceof XylenError) && error.validation) {
      const issue = error.validation[0]!;
      const params = issue.params as { missingProperty?: string; additionalProperty?: string };
      const field = [`${error.validationContext ?? 'body'}${issue.instancePath}`, params.missingProperty ?? params.additionalProperty].filter(Boolean).join('/');
      return reply.code(400).send({ error: { code: 'BODY_INVALID', message: `${field}: ${issue.message ?? 'is invalid'}`, field } });
    }
    const status = error instanceof XylenError ? 500 : (error.statusCode ?? 500);
    if (status === 413) {
      return reply.code(413).send({ error: { code: 'BODY_TOO_LARGE', message: `the body is larger than ${options.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes`, hint: 'send fewer rows per request' } });
    }
    if (status < 500) return reply.code(status).send({ error: { code: error.code, message: error.message } });
    request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'the model server failed on this request (see its log)' } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}`, hint: 'routes: POST /predict, POST /retrain, GET /health, GET /metrics' } }),
  );

  const errors = { 400: errorReply, 413: errorReply, 422: errorReply };
  app.post('/predict', { schema: { body: predictBody, response: { 200: predictReply, ...errors } } }, async (request) => {
    const { input, n } = inputOf(runtime, request.body as PredictBody);
    return predictRows(batched, input, n);
  });

  app.post('/retrain', { schema: { body: retrainBody, response: { 200: retrainReply, ...errors } } }, async (request, reply) => {
    if (!samples) {
      return reply.code(503).send({ error: { code: 'RETRAIN_DISABLED', message: 'this server has no sample store', hint: 'start it with --samples <file.jsonl>' } });
    }
    const { outcomes } = request.body as { outcomes: object[] };
    const model = modelRef();
    const pending = await samples.append(outcomes.map((outcome) => ({ model, ...outcome })));
    retrainer?.onSamples();
    return { accepted: outcomes.length, pending, model, retraining: retrainer?.state().running ?? false };
  });

  app.get('/health', async (_request, reply) => {
    const memory = process.memoryUsage();
    const [p50, p90, p99] = latency.percentiles([50, 90, 99]);
    const state = runtime.health();
    if (state.status !== 'ok') void reply.code(503);
    const { card } = runtime;
    return {
      status: state.status,
      uptimeS: (performance.now() - started) / 1000,
      memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
      model: { id: card.id, version: card.version, ...(card.parent === undefined ? {} : { parent: card.parent }), kind: card.kind, path: runtime.path, features: card.features, classes: card.classes },
      requests: counts,
      latencyMs: { p50, p90, p99, window: latency.size },
      samples: { pending: samples?.pending ?? 0, total: samples?.total ?? 0 },
      retrain: retrainer ? retrainer.state() : null,
      registry: registryWriter ? registryWriter.state() : null,
    };
  });

  app.get('/metrics', async (_request, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });

  return app;
}

/** The body as n rows of the model's width, in its feature order. */
function inputOf(runtime: ModelRuntime, body: PredictBody): { input: Float32Array; n: number } {
  const features = runtime.card.features;
  const width = features.length;
  if (body.names && !body.rows) throw inputError('BODY_INVALID', '"names" goes with "rows" (a batch)', { where: 'body/names' });
  if ((body.features === undefined) === (body.rows === undefined)) {
    throw inputError('BODY_INVALID', 'the body needs exactly one of "features" (one snapshot) or "rows" (a batch)', { where: 'body' });
  }
  if (body.features) {
    const given = body.features;
    const missing = features.filter((f) => !Object.hasOwn(given, f));
    if (missing.length > 0) modelColumns(runtime, Object.keys(given), 'features');
    return { input: Float32Array.from(features, (f) => given[f] ?? Number.NaN), n: 1 };
  }
  const rows = body.rows!;
  const names = body.names;
  const input = new Float32Array(rows.length * width);
  const columns = names ? modelColumns(runtime, names) : Int32Array.from(features, (_, c) => c);
  const rowWidth = names ? names.length : width;
  rows.forEach((row, r) => {
    if (row.length !== rowWidth) {
      throw inputError('MODEL_INPUT_WIDTH', `rows/${r} has ${row.length} values where there are ${rowWidth} ${names ? 'names' : `features of model "${runtime.card.id}"`}`, {
        where: `rows/${r}`,
        hint: names ? 'give every row one value per name' : `send "names" with the rows, or values in the order ${features.join(', ')}`,
      });
    }
    for (let c = 0; c < width; c++) input[r * width + c] = row[columns[c]!] ?? Number.NaN;
  });
  return { input, n: rows.length };
}

function describe(error: XylenError) {
  return { code: error.code, message: error.message, ...(error.where ? { field: error.where } : {}), ...(error.hint ? { hint: error.hint } : {}) };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
