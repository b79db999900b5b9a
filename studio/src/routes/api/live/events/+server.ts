import { services } from '$lib/server/services.ts';
import type { LiveEvent } from '$lib/server/LiveMonitor.ts';
import type { RequestHandler } from './$types';

const PING_MS = 15_000;

/**
 * The live process's records as Server-Sent Events, proxied by the studio: the browser never connects to the live
 * process (nor needs its token). `link` says whether the studio's own stream from the process is up; then `decision`,
 * `trade`, `log` and `record` (an order, fill, funding or risk record: re-read the state) as they happen.
 * `?decision=TS&trade=TS&log=ISO` first replays what the studio holds newer than those (what a page missed between
 * its load and its stream).
 */
export const GET: RequestHandler = ({ request, url }) => {
  // What the page already has (the newest decision, trade and log line of its load): newer ones are sent first.
  const q = url.searchParams;
  const number = (name: string) => (q.has(name) && Number.isFinite(Number(q.get(name))) ? Number(q.get(name)) : undefined);
  const after = { decision: number('decision'), trade: number('trade'), log: q.get('log') ?? undefined };
  const { live } = services();
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const send = ({ event, data }: LiveEvent) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      write('retry: 2000\n\n');
      const unsubscribe = live.subscribe(send);
      send({ event: 'link', data: live.link });
      for (const event of live.since(after)) send(event);
      const ping = setInterval(() => write(': ping\n\n'), PING_MS);
      cleanup = () => {
        if (!open) return;
        open = false;
        clearInterval(ping);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      request.signal.addEventListener('abort', cleanup);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' } });
};
