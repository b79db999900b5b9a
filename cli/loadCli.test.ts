// bin/loadCli.js: the CLI runs from an esbuild bundle kept in node_modules/.cache; a changed source makes a new one,
// an unchanged tree reuses it, modules keep their own import.meta.url, and XYLEN_NO_BUNDLE runs the sources via tsx.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript (it runs before any TypeScript loader), without type declarations
import { bundledEntry } from '../bin/loadCli.js';
import { REPO_ROOT } from '../test/paths.ts';

const run = promisify(execFile);

describe('loadCli', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'xylen-load-cli-'));
    await mkdir(join(root, 'cli'));
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    await writeFile(join(root, 'tsconfig.json'), '{}\n');
    await writeFile(join(root, 'cli', 'main.ts'), "export { value, where } from './dep.ts';\nexport { default as label } from './label.json';\n");
    await writeFile(join(root, 'cli', 'label.json'), '"one"\n');
    await writeDep(1);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function writeDep(value: number): Promise<void> {
    const path = join(root, 'cli', 'dep.ts');
    await writeFile(path, `export const value: number = ${value};\nexport const where = import.meta.url;\n`);
    // A second write within the same mtime tick must still read as a change: the size differs, or here the time.
    const at = new Date(Date.now() + value * 1000);
    await utimes(path, at, at);
  }

  const load = async (): Promise<{ url: string; value: number; where: string; label: string }> => {
    const url: string = await bundledEntry(root, 'cli/main.ts');
    const module = (await import(url)) as { value: number; where: string; label: string };
    return { url, value: module.value, where: module.where, label: module.label };
  };

  it('bundles on the first start, reuses the bundle while nothing changed, and rebuilds when a source changed', async () => {
    const first = await load();
    expect(first.value).toBe(1);
    expect(first.label).toBe('one');
    expect(first.url).toContain('/node_modules/.cache/xylen-cli/');
    // import.meta.url is the source file's, not the bundle's.
    expect(first.where).toBe(pathToFileURL(join(root, 'cli', 'dep.ts')).href);

    expect((await load()).url).toBe(first.url);

    await writeDep(2);
    const second = await load();
    expect(second.url).not.toBe(first.url);
    expect(second.value).toBe(2);

    // So does a changed file that is not TypeScript.
    await writeFile(join(root, 'cli', 'label.json'), '"three"\n');
    const relabelled = await load();
    expect(relabelled.url).not.toBe(second.url);
    expect(relabelled.label).toBe('three');

    // A changed setting (tsconfig.json) also rebuilds.
    const later = new Date(Date.now() + 10_000);
    await utimes(join(root, 'tsconfig.json'), later, later);
    const third = await load();
    expect(third.url).not.toBe(relabelled.url);
    expect(third.value).toBe(2);
    // The bundles replaced less than ten minutes ago stay (a process may have just started from one).
    const dirs = (await readdir(join(root, 'node_modules', '.cache', 'xylen-cli'))).filter((name) => name.startsWith('build-'));
    expect(dirs).toHaveLength(4);
  });

  it('several processes starting on a changed tree at once each get a working bundle', async () => {
    await writeDep(4);
    const script = `import { bundledEntry } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'bin', 'loadCli.js')).href)};
      const m = await import(await bundledEntry(${JSON.stringify(root)}, 'cli/main.ts'));
      process.stdout.write(String(m.value));`;
    const outputs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--input-type=module', '-e', script])));
    expect(outputs.map((o) => o.stdout)).toEqual(['4', '4', '4', '4']);
    // current.json names one of them, complete, and the next start reuses it.
    const url = await bundledEntry(root, 'cli/main.ts');
    expect(((await import(url)) as { value: number }).value).toBe(4);
    expect(await bundledEntry(root, 'cli/main.ts')).toBe(url);
  });

  it('removes replaced bundles once ten minutes old unless a running process uses them; a process marks its bundle until it exits', async () => {
    const cache = join(root, 'node_modules', '.cache', 'xylen-cli');
    const bundle = async (name: string, pid?: string) => {
      await mkdir(join(cache, name, 'users'), { recursive: true });
      if (pid !== undefined) await writeFile(join(cache, name, 'users', pid), '');
      const hourAgo = new Date(Date.now() - 3_600_000);
      await utimes(join(cache, name), hourAgo, hourAgo);
    };
    const { stdout: exitedPid } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await bundle('build-old-running', String(process.pid));
    await bundle('build-old-exited', exitedPid);
    await bundle('build-old-unmarked');
    await writeDep(5);
    const { url } = await load(); // a rebuild removes what it may
    const dirs = await readdir(cache);
    expect(dirs).toContain('build-old-running');
    expect(dirs).not.toContain('build-old-exited');
    expect(dirs).not.toContain('build-old-unmarked');

    // A process leaves its pid in its bundle while it runs, and takes it away when it exits.
    const script = `import { useBundle } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'bin', 'loadCli.js')).href)};
      import { readdirSync } from 'node:fs';
      useBundle(${JSON.stringify(url)});
      process.stdout.write(JSON.stringify([String(process.pid), readdirSync(new URL('./users/', ${JSON.stringify(url)}))]));`;
    const [pid, users] = JSON.parse((await run(process.execPath, ['--input-type=module', '-e', script])).stdout) as [string, string[]];
    expect(users).toContain(pid);
    expect(await readdir(new URL('./users/', url))).not.toContain(pid);
  });

  it('a source that does not compile is an error, so that the CLI falls back to tsx, which reports it', async () => {
    await writeFile(join(root, 'cli', 'dep.ts'), 'export const value: number = ;\n');
    await expect(bundledEntry(root, 'cli/main.ts')).rejects.toThrow();
  });

  it('gives the same output and exit code from the bundle and, with XYLEN_NO_BUNDLE=1, from the sources through tsx', async () => {
    const bin = join(REPO_ROOT, 'bin', 'xylen.js');
    const config = join(root, 'bad.yaml');
    await writeFile(config, 'ensemble:\n  methd: majority\n');
    const outcome = (env: NodeJS.ProcessEnv) =>
      run(process.execPath, [bin, 'config', 'check', config], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const { XYLEN_NO_BUNDLE: _, ...rest } = process.env;
    const [bundled, sources] = await Promise.all([outcome(rest), outcome({ ...rest, XYLEN_NO_BUNDLE: '1' })]);
    // An input error (XylenError, recognised by the CLI's handler in the bundle too): exit 2, the key named.
    expect(bundled.code).toBe(2);
    expect(bundled.stderr).toContain('error[CONFIG_INVALID]');
    expect(bundled.stderr).toContain('unknown key "ensemble.methd"');
    expect(sources).toEqual(bundled);
  });
});
