import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a test server saw it, in arrival order. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** performance.now() at arrival, for asserting on waits between requests. */
  at: number;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export type LoopbackHandler = (request: LoggedRequest, response: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

/**
 * An HTTP server on 127.0.0.1 and a random port that logs every request before `handler` answers
 * it. A handler that throws answers 500 with the message, so a test fails loudly, not by timeout.
 */
export async function startLoopbackServer(handler: LoopbackHandler): Promise<LoopbackServer> {
  const requests: LoggedRequest[] = [];
  const server = createServer((raw, response) => {
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const request: LoggedRequest = { method: raw.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), at: performance.now() };
    requests.push(request);
    Promise.resolve()
      .then(() => handler(request, response, raw))
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
        response.end(`test server error: ${error instanceof Error ? error.message : String(error)}`);
      });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
