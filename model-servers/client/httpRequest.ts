import { request, type Agent } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
}

/** What a request that ran past its deadline rejects with. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * One HTTP/1.1 request over `agent` (keep-alive, socket limit), given up (the socket destroyed, DeadlineError) when
 * `timeoutMs` pass. node:http rather than fetch, and a plain timer rather than an AbortSignal: on loopback the
 * per-request cost of either is a large share of a model server round trip.
 */
export function httpRequest(
  url: URL,
  init: { method: 'GET' | 'POST'; agent: Agent; timeoutMs: number; headers?: Record<string, string>; body?: string },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(init.body);
    }
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: init.method, agent: init.agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(new DeadlineError(`no answer within ${Math.round(init.timeoutMs)} ms`)), Math.max(0, init.timeoutMs));
    timer.unref(); // the socket keeps the process alive while the request is in flight; the deadline need not
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    req.on('error', fail);
    req.end(init.body);
  });
}
