import { request, type Agent } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * One HTTP/1.1 request over `agent` (keep-alive, socket limit), aborted by `signal`. node:http rather than fetch:
 * on loopback its per-request cost is several times lower, which is most of a model server round trip.
 */
export function httpRequest(
  url: URL,
  init: { method: 'GET' | 'POST'; agent: Agent; signal: AbortSignal; headers?: Record<string, string>; body?: string },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(init.body);
    }
    const req = request(url, { method: init.method, agent: init.agent, signal: init.signal, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
