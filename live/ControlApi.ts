import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { XylenError } from '../engine/index.ts';

export interface ControlApiDeps {
  status(): unknown;
  positions(): unknown;
  orders(): unknown;
  decisions(limit: number): unknown;
  /** The latest trades the run closed (all of them since it started, up to `limit`), oldest first. */
  trades(limit: number): unknown;
  models(): unknown;
  logs(limit: number): unknown;
  metrics(): Promise<{ contentType: string; body: string }>;
  stop(flatten: boolean): Promise<unknown>;
  emergencyStop(): Promise<unknown>;
  /** Liveness for container healthchecks and monitors: `ok` false answers 503. */
  health(): { ok: boolean } & Record<string, unknown>;
  /** The config in force (secrets masked), the promotion it came from and one waiting for the next heartbeat. */
  config(): unknown;
  /** Check a promotion and schedule it for the next heartbeat (see live/promotion/LivePromoter.ts). */
  promote(body: unknown): Promise<unknown>;
  /** Bearer token for state-changing routes; undefined: those routes answer 503 (no token configured). */
  token: string | undefined;
  tokenEnv: string;
}

export interface ControlApi {
  url: string;
  /** Push one event to every SSE subscriber of GET /events. */
  push(event: string, data: unknown): void;
  close(): Promise<void>;
}

/**
 * The live process's control API (documented in live/README.md): read routes open to the machine (it binds 127.0.0.1),
 * state-changing routes behind `Authorization: Bearer <token>` from an environment variable, and a Server-Sent Events
 * channel for the studio.
 */
export async function startControlApi(deps: ControlApiDeps, listen: { host: string; port: number }): Promise<ControlApi> {
  const app: FastifyInstance = Fastify({ logger: false });
  const streams = new Set<ServerResponse>();
  const limitOf = (request: FastifyRequest) => {
    const n = Number((request.query as Record<string, string>)['limit'] ?? 50);
    return Number.isInteger(n) && n > 0 ? Math.min(n, 1000) : 50;
  };
  const authorized = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (!deps.token) {
      void reply.code(503).send({ error: 'NO_CONTROL_TOKEN', message: `state-changing routes are disabled: set ${deps.tokenEnv} before starting xylen live` });
      return false;
    }
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const expected = Buffer.from(deps.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      void reply.code(401).send({ error: 'UNAUTHORIZED', message: `send Authorization: Bearer <the token in ${deps.tokenEnv}>` });
      return false;
    }
    return true;
  };

  app.get('/health', async (_request, reply) => {
    const health = deps.health();
    return reply.code(health.ok ? 200 : 503).send(health);
  });
  app.get('/status', async () => deps.status());
  app.get('/positions', async () => deps.positions());
  app.get('/orders', async () => deps.orders());
  app.get('/decisions', async (request) => deps.decisions(limitOf(request)));
  app.get('/trades', async (request) => deps.trades(limitOf(request)));
  app.get('/models', async () => deps.models());
  app.get('/logs', async (request) => deps.logs(limitOf(request)));
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await deps.metrics();
    return reply.header('content-type', contentType).send(body);
  });
  app.get('/events', (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    raw.write(': xylen live events\n\n');
    streams.add(raw);
    request.raw.on('close', () => streams.delete(raw));
  });
  app.post('/stop', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const flatten = (request.query as Record<string, string>)['flatten'] === 'true' || (request.body as { flatten?: boolean } | undefined)?.flatten === true;
    return deps.stop(flatten);
  });
  app.post('/emergency-stop', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    return deps.emergencyStop();
  });
  app.get('/config', async () => deps.config());
  app.post('/config', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    try {
      return await reply.code(202).send(await deps.promote(request.body));
    } catch (error) {
      if (!(error instanceof XylenError)) throw error;
      return reply.code(error.kind === 'input' ? promotionStatus(error.code) : 500).send({ error: error.code, message: error.message, ...(error.where ? { where: error.where } : {}), ...(error.hint ? { hint: error.hint } : {}) });
    }
  });

  await app.listen(listen);
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${listen.host}:${port}`,
    push(event, data) {
      const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      for (const s of streams) s.write(text);
    },
    async close() {
      for (const s of streams) s.end();
      streams.clear();
      await app.close();
    },
  };
}

/** A refused promotion: 400 for a malformed body, 409 when it conflicts with the live setup or a waiting one, else 422 (500: the process could not keep it). */
function promotionStatus(code: string): number {
  if (code === 'PROMOTION_BAD_REQUEST') return 400;
  if (code === 'PROMOTION_MISMATCH' || code === 'PROMOTION_PENDING' || code === 'LIVE_STOPPING') return 409;
  return 422;
}
