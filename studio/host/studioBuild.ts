import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operationalError } from '../../engine/index.ts';

/** studio/ and the repository root. */
export const STUDIO_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = join(STUDIO_DIR, '..');
/** adapter-node's output (git-ignored): `handler.js` is what `xylen studio` mounts. */
export const BUILD_DIR = join(STUDIO_DIR, 'build');
export const BUILD_HANDLER = join(BUILD_DIR, 'handler.js');

/** What the build is made from: the app, and the project folders its server code bundles, and the lockfile. */
const SOURCE_DIRS = ['studio/src', 'studio/static', 'engine', 'data', 'research', 'model-servers', 'config'];
const SOURCE_FILES = ['studio/svelte.config.js', 'studio/vite.config.ts', 'package-lock.json'];

export interface BuildState {
  /** ms of the built handler, null when there is no build. */
  builtAt: number | null;
  /** The newest source file and its ms. */
  newest: { path: string; mtimeMs: number } | null;
  /** No build, or a build older than a source. */
  stale: boolean;
}

export function studioBuildState(): BuildState {
  let builtAt: number | null = null;
  try {
    builtAt = statSync(BUILD_HANDLER).mtimeMs;
  } catch {
    builtAt = null;
  }
  let newest: BuildState['newest'] = null;
  const consider = (path: string) => {
    const mtimeMs = statSync(path).mtimeMs;
    if (newest === null || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  };
  for (const dir of SOURCE_DIRS) walk(join(REPO_ROOT, dir), consider);
  for (const file of SOURCE_FILES) {
    try {
      consider(join(REPO_ROOT, file));
    } catch {
      // a missing optional file is no source
    }
  }
  const latest = newest as BuildState['newest'];
  return { builtAt, newest: latest, stale: builtAt === null || (latest !== null && latest.mtimeMs > builtAt) };
}

function walk(dir: string, visit: (path: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    else if (!/\.test\.ts$/.test(entry.name)) visit(path);
  }
}

/**
 * Build the studio (`vite build` in studio/, i.e. `npm run studio:build`) when there is no build or a source is
 * newer. A lock file keeps two processes from building at once (the second waits for the first). Calls `onStep` as
 * vite's stages pass (client, server, adapter, done) for a progress bar.
 */
export async function ensureStudioBuilt(options: { force?: boolean; onStart?: (state: BuildState) => void; onStep?: (done: number, total: number) => void } = {}): Promise<'fresh' | 'built'> {
  const lock = join(STUDIO_DIR, '.build.lock');
  const release = await acquireLock(lock);
  try {
    const state = studioBuildState();
    if (!state.stale && !options.force) return 'fresh';
    options.onStart?.(state);
    await buildStudio(options.onStep);
    return 'built';
  } finally {
    release();
  }
}

export const BUILD_STEPS = 4;

/**
 * Run vite's production build of the studio in a child process; fail with its last output lines. The output goes
 * to a log file rather than through pipes (read back for the progress markers and the error): the build then never
 * depends on the parent reading its pipes, which a busy parent (a test worker) may not do promptly.
 */
export async function buildStudio(onStep?: (done: number, total: number) => void): Promise<void> {
  const vite = join(createRequire(import.meta.url).resolve('vite/package.json'), '..', 'bin', 'vite.js');
  const markers = [/building client/i, /building (ssr|server)/i, /Using @sveltejs\/adapter-node/, /done/];
  const logDir = mkdtempSync(join(tmpdir(), 'xylen-studio-build-'));
  const logPath = join(logDir, 'build.log');
  const log = openSync(logPath, 'w');
  // A test runner's variables (VITEST, …) would change how vite behaves: build as from a plain shell.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'TEST'));
  let step = 0;
  const poll = () => {
    const output = readFileSync(logPath, 'utf8');
    while (step < markers.length && markers[step]!.test(output)) {
      step++;
      onStep?.(step, BUILD_STEPS);
    }
    return output;
  };
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'info'], { cwd: STUDIO_DIR, env: { ...env, NODE_ENV: 'production' }, stdio: ['ignore', log, log] });
      const timer = setInterval(poll, 250);
      child.on('error', (error) => {
        clearInterval(timer);
        reject(error);
      });
      child.on('exit', (exitCode) => {
        clearInterval(timer);
        resolve(exitCode);
      });
    });
    const output = poll();
    if (code !== 0) {
      const tail = output.trim().split('\n').slice(-15).join('\n');
      throw operationalError('STUDIO_BUILD_FAILED', `building the studio failed (vite exited with ${code}):\n${tail}`, { hint: 'run `npm run studio:build` to see the whole output' });
    }
  } finally {
    closeSync(log);
    rmSync(logDir, { recursive: true, force: true });
  }
}

async function acquireLock(path: string): Promise<() => void> {
  const started = Date.now();
  for (;;) {
    try {
      closeSync(openSync(path, 'wx'));
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than 5 minutes is left by a build that died: take it over.
      try {
        if (Date.now() - statSync(path).mtimeMs > 300_000) rmSync(path, { force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() - started > 600_000) throw operationalError('STUDIO_BUILD_LOCKED', `another process has been building the studio for 10 minutes (${path})`, { hint: 'remove the lock file if no build is running' });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
