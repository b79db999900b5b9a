// How `xylen` loads its TypeScript. Through tsx, each of the CLI's ~330 modules costs a round trip to tsx's loader
// thread, about 0.6 s before any command runs. So the CLI is bundled by esbuild (the compiler tsx itself uses) into
// ES modules under node_modules/.cache/xylen-cli/, on the first run after a source file changes (~0.3 s), and
// imported from there: `xylen --help` takes ~0.35 s instead of ~0.8 s. There is still no build step to run by hand:
// the bundle is a cache, checked against every source file's size and mtime on each start (a few ms).
// XYLEN_NO_BUNDLE=1, or a cache that cannot be written, loads the sources through tsx as before.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = 'cli/main.ts';
/** The folder of a bundle where the processes running from it leave their pids. */
const USERS = 'users';
/** Files that change how sources compile without being imported. */
const SETTINGS = ['package.json', 'tsconfig.json'];
/**
 * Bundles other than the current one are removed once this old and no running process uses them: each start leaves
 * its pid in its bundle's users/ folder, since a long-running process (the studio, live trading) may still load
 * chunks from one. A day's work on the sources otherwise left hundreds of 3 MB bundles.
 */
const KEEP_OLD_MS = 10 * 60_000;

/** Import the CLI's entry module (which runs the command line): the bundle when it is fresh or can be made, else the sources through tsx. */
export async function loadCli() {
  const bundled = process.env.XYLEN_NO_BUNDLE
    ? undefined
    : await bundledEntry(ROOT, ENTRY).catch((error) => {
        if (process.env.XYLEN_DEBUG) process.stderr.write(`xylen: no bundle (${error?.message ?? error}); running the sources through tsx\n`);
        return undefined;
      });
  if (bundled) {
    if (process.env.XYLEN_DEBUG) process.setSourceMapsEnabled(true);
    useBundle(bundled);
    await import(bundled);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(ROOT, ENTRY)).href);
}

/**
 * The URL of a bundle of `entry` (relative to `root`), kept in `root`/node_modules/.cache/xylen-cli: the current
 * one when every file it was built from is unchanged, else a new one.
 */
export async function bundledEntry(root, entry) {
  const cache = join(root, 'node_modules', '.cache', 'xylen-cli');
  const current = readCurrent(cache);
  if (current && current.inputs.every((input) => isUnchanged(root, input))) return entryUrl(cache, current.dir);
  return build(root, entry, cache);
}

function readCurrent(cache) {
  try {
    const current = JSON.parse(readFileSync(join(cache, 'current.json'), 'utf8'));
    return typeof current?.dir === 'string' && Array.isArray(current.inputs) ? current : undefined;
  } catch {
    return undefined;
  }
}

/** [path relative to the repository, size, mtime in ms] as it was when the bundle read the file. */
function isUnchanged(root, [path, size, mtimeMs]) {
  try {
    const now = statSync(join(root, path));
    return now.size === size && now.mtimeMs === mtimeMs;
  } catch {
    return false;
  }
}

function stamp(root, path) {
  const { size, mtimeMs } = statSync(path);
  return [relative(root, path), size, mtimeMs];
}

/**
 * Bundle the CLI into a directory of its own, then make it the current one. Several processes may build at once
 * (tests start many): each writes its own directory, and the last rename of current.json wins.
 */
async function build(root, entry, cache) {
  const inputs = SETTINGS.map((file) => stamp(root, join(root, file)));
  const dir = `build-${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const outdir = join(cache, dir);
  // First, so that a cache that cannot be written costs no more than this.
  mkdirSync(outdir, { recursive: true });
  const { build: esbuild } = await import('esbuild');
  await esbuild({
    absWorkingDir: root,
    entryPoints: { xylen: join(root, entry) },
    outdir,
    bundle: true,
    // Lazily imported modules (ccxt for `data fetch`, the studio's build) stay lazy in chunks of their own.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [sourcesAsTheyWere(root, inputs)],
  });
  writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
  const current = join(cache, 'current.json');
  const temporary = `${current}.${dir}`;
  writeFileSync(temporary, JSON.stringify({ dir, inputs }));
  renameSync(temporary, current);
  removeOldBundles(cache, dir);
  return entryUrl(cache, dir);
}

/**
 * Each source stamped before it is read (a file saved during the build then reads as changed on the next start),
 * and in code `import.meta.url` replaced by the source's own URL, so that paths a module finds relative to itself
 * (worker entries, the repository root, createRequire) are what they are under tsx.
 */
function sourcesAsTheyWere(root, inputs) {
  return {
    name: 'xylen-sources',
    setup(build) {
      build.onLoad({ filter: /.*/ }, async ({ path }) => {
        inputs.push(stamp(root, path));
        const loader = /\.[cm]?ts$/.test(path) ? 'ts' : /\.[cm]?js$/.test(path) ? 'js' : undefined;
        if (loader === undefined) return undefined; // JSON and the like: esbuild reads them itself
        const text = await readFile(path, 'utf8');
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href)), loader };
      });
    },
  };
}

/** Mark the bundle of `entry` (a bundle's entry URL) as used by this process until it exits. */
export function useBundle(entry) {
  const users = join(fileURLToPath(new URL('.', entry)), USERS);
  const mine = join(users, String(process.pid));
  try {
    mkdirSync(users, { recursive: true });
    writeFileSync(mine, '');
    process.on('exit', () => rmSync(mine, { force: true }));
  } catch {
    // A cache that cannot be written: the bundle is then only kept for KEEP_OLD_MS.
  }
}

function removeOldBundles(cache, keep) {
  for (const entry of readdirSync(cache, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const path = join(cache, entry.name);
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS && !inUse(path)) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}

/** Whether a process that left its pid in the bundle (`useBundle`) is still running. */
function inUse(bundle) {
  let pids;
  try {
    pids = readdirSync(join(bundle, USERS));
  } catch {
    return false;
  }
  return pids.some((pid) => {
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch (error) {
      // EPERM: it runs, as another user.
      return error?.code === 'EPERM';
    }
  });
}

function entryUrl(cache, dir) {
  return pathToFileURL(join(cache, dir, 'xylen.js')).href;
}
