import { existsSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Store } from '../../data/index.ts';
import { operationalError, XylenError } from '../../engine/index.ts';
import { stopServices } from '../src/lib/server/services.ts';
import { DEFAULT_LIVE_URL, findRepoRoot, newToken, setStudioSettings } from '../src/lib/server/studioSettings.ts';
import { BUILD_HANDLER } from './studioBuild.ts';

const PROTOCOL_HEADER = 'x-xylen-studio-protocol';

export interface StartStudioOptions {
  dbPath: string;
  configPath?: string | undefined;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Default: a fresh random one. */
  token?: string | undefined;
  liveUrl?: string | undefined;
  /** The live process's control token (for the emergency stop); default XYLEN_LIVE_TOKEN. Never sent to a browser. */
  liveToken?: string | undefined;
  /** HTTP model servers by model name, whose /health the live page shows (uptime, memory). */
  modelServers?: Record<string, string>;
  lingerMs?: number;
}

export interface RunningStudio {
  url: string;
  host: string;
  port: number;
  token: string;
  /** Notes for the user (e.g. the store is busy and was not migrated). */
  notes: string[];
  close(): Promise<void>;
}

/**
 * Serve the built studio (adapter-node's handler in a node http server) over the store. One studio per process:
 * its settings live on globalThis, where the built app finds them.
 */
export async function startStudio(options: StartStudioOptions): Promise<RunningStudio> {
  const dbPath = resolve(options.dbPath);
  const notes = await migrateIfNeeded(dbPath);
  const token = options.token ?? newToken();
  setStudioSettings({
    dbPath,
    configPath: options.configPath === undefined ? undefined : resolve(options.configPath),
    token,
    liveUrl: options.liveUrl ?? DEFAULT_LIVE_URL,
    liveToken: options.liveToken ?? (process.env['XYLEN_LIVE_TOKEN'] || undefined),
    modelServers: options.modelServers ?? {},
    repoRoot: findRepoRoot(),
    lingerMs: options.lingerMs ?? 250,
  });
  // adapter-node takes the request's protocol from a header, else assumes https, and SvelteKit refuses form posts
  // whose Origin differs: the studio serves plain http itself, so it says so in a header of its own (set on every
  // request, never taken from the client). Behind a TLS proxy, PROTOCOL_HEADER set by the user wins.
  const ownProtocolHeader = process.env['PROTOCOL_HEADER'] === undefined;
  if (ownProtocolHeader) process.env['PROTOCOL_HEADER'] = PROTOCOL_HEADER;
  const { handler } = (await import(pathToFileURL(BUILD_HANDLER).href)) as { handler: RequestListener };
  const server = createServer((request, response) => {
    if (ownProtocolHeader) request.headers[PROTOCOL_HEADER] = 'http';
    handler(request, response);
  });
  // Node closes an idle keep-alive socket after 5 s; a browser or API client that reuses it at that moment gets
  // ECONNRESET instead of a response. Keep idle sockets longer than clients keep theirs, as servers behind proxies do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, host, options.port ?? 5173);
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${shown}:${port}/`;
  void warmUp(url);
  return {
    url,
    host,
    port,
    token,
    notes,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await stopServices();
    },
  };
}

/**
 * Open the runs list, the newest run's page and the live page once, as a user would, right after start: the first
 * request to each page loads its modules and compiles its code (about half a second here), which would otherwise land
 * on the user.
 */
async function warmUp(url: string): Promise<void> {
  try {
    const list = await fetch(`${url}runs`).then((r) => r.text());
    const newest = /data-run="(run-[^"]+)"/.exec(list)?.[1];
    if (newest) await fetch(`${url}runs/${newest}`).then((r) => r.text());
    // The live page starts the studio's stream from the live process: trades are seen from the studio's start on.
    await fetch(`${url}live`).then((r) => r.text());
  } catch {
    // a warm-up that fails costs nothing but speed
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(operationalError('STUDIO_PORT_IN_USE', `port ${port} on ${host} is already in use`, { where: '--port', hint: 'pass another --port (0 picks a free one)' }));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(operationalError('STUDIO_BAD_HOST', `cannot listen on ${host}: ${error.code}`, { where: '--host', hint: 'use an address of this machine, e.g. 127.0.0.1' }));
      } else reject(error);
    });
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

/**
 * The studio opens the store read-only, and a read-only open cannot migrate: bring an older store up to date once
 * at start, as every writing command does. A store being written right now is left alone (and said so).
 */
async function migrateIfNeeded(dbPath: string): Promise<string[]> {
  if (!existsSync(dbPath)) return [`no store at ${dbPath} yet: the studio shows how to make one`];
  try {
    (await Store.open(dbPath)).close();
    return [];
  } catch (error) {
    if (error instanceof XylenError && error.code === 'STORE_LOCKED') return [`the store is being written by another process; the studio reads it when it can`];
    throw error;
  }
}
