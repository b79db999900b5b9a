import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the studio serves and how: set by `xylen studio` before it loads the app, or read from the environment in dev. */
export interface StudioSettings {
  /** The DuckDB store (absolute). The studio opens it read-only per request and never holds it. */
  dbPath: string;
  /** The xylen.yaml whose ensemble, risk and replay settings the champion/challenger replays use (none: defaults). */
  configPath: string | undefined;
  /** Required for every action that changes state (cookie set from `?token=…`, or an `X-Xylen-Token` header). */
  token: string;
  /** Where a live process's control API would answer. */
  liveUrl: string;
  /**
   * The live process's control token (from the environment: XYLEN_LIVE_TOKEN, or the config's
   * live.control_token_env), for its emergency stop. Held by the server only: never sent to a browser.
   */
  liveToken?: string | undefined;
  /** HTTP model servers by model name (the config's `kind: http` models), whose /health the live page shows. */
  modelServers?: Record<string, string>;
  /** The repository root: bin/xylen.js is started from here for comparison replays. */
  repoRoot: string;
  /** How long a read-only store stays open after the last request, so one page's requests share an open (ms). */
  lingerMs: number;
}

const KEY = Symbol.for('xylen.studio.settings');
type Holder = { [KEY]?: StudioSettings };

/** `xylen studio` calls this before importing the built app; the app and the host share the object through globalThis. */
export function setStudioSettings(settings: StudioSettings): void {
  (globalThis as Holder)[KEY] = settings;
}

export function studioSettings(): StudioSettings {
  const holder = globalThis as Holder;
  holder[KEY] ??= settingsFromEnvironment();
  return holder[KEY];
}

/** The live process's control API on its default port (live.control_port). */
export const DEFAULT_LIVE_URL = 'http://127.0.0.1:8780';

/**
 * For `npm run studio:dev`: the store from XYLEN_DB (default ./xylen.duckdb, relative to where npm was started), the
 * token from XYLEN_STUDIO_TOKEN or a fresh one, printed once so the developer can use it.
 */
function settingsFromEnvironment(): StudioSettings {
  const cwd = process.env['INIT_CWD'] ?? process.cwd();
  const repoRoot = findRepoRoot();
  const configured = process.env['XYLEN_CONFIG'];
  const defaultConfig = join(cwd, 'xylen.yaml');
  let token = process.env['XYLEN_STUDIO_TOKEN'];
  if (!token) {
    token = newToken();
    process.stderr.write(`xylen studio (dev): actions need the token; open the app once with ?token=${token}\n`);
  }
  return {
    dbPath: resolve(cwd, process.env['XYLEN_DB'] ?? 'xylen.duckdb'),
    configPath: configured ? resolve(cwd, configured) : existsSync(defaultConfig) ? defaultConfig : undefined,
    token,
    liveUrl: process.env['XYLEN_LIVE_URL'] ?? DEFAULT_LIVE_URL,
    liveToken: process.env['XYLEN_LIVE_TOKEN'] || undefined,
    repoRoot,
    lingerMs: 250,
  };
}

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

/** The directory of Xylen's package.json, searched upwards from this file (in src/ under dev, in build/ when built). */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'xylen') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find Xylen's package.json above ${from}`);
  }
}
