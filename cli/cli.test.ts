import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { runXylen as xylen } from '../test/runXylen.ts';
import { REPO_ROOT } from '../test/paths.ts';
import { runXylenBin } from '../test/runXylenBin.ts';
import { buildProgram } from './main.ts';

// In-process runs for what the program does; child processes only for what the bin entry adds (its exit status).
const dir = mkdtempSync(join(tmpdir(), 'xylen-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

describe('xylen CLI', () => {
  it('has --help on every command, exiting 0 with a usage line', async () => {
    const paths = [[], ...commandPaths(buildProgram())];
    expect(paths.length).toBeGreaterThan(3);
    for (const path of paths) {
      const result = await xylen([...path, '--help']);
      expect(result.code, path.join(' ')).toBe(0);
      expect(result.stdout, path.join(' ')).toContain(`Usage: xylen${path.length ? ' ' + path.join(' ') : ''}`);
    }
  });

  it('bin/xylen.js runs the CLI and exits with its status: 0 for help, 2 for bad usage or input', async () => {
    const [help, usage, input] = await Promise.all([
      runXylenBin(['data', '--help'], { cwd: dir }),
      runXylenBin(['nonsense'], { cwd: dir }),
      runXylenBin(['--config', join(dir, 'nope.yaml'), 'config', 'check'], { cwd: dir }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: xylen data');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown command 'nonsense'");
    expect(input.code).toBe(2);
    expect(input.stderr).toContain('CONFIG_MISSING');
  });

  it('bin/xylen.js exits quietly with its own status when its reader closes the pipe (`xylen … | head`)', async () => {
    // The read end closes before the child writes a byte, so its first write fails with EPIPE.
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'xylen.js'), 'check', 'lookahead', '--help'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code).toBe(0);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await xylen(['nonsense'])).code).toBe(2);
    const bad = await xylen(['config', 'check', '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown option');
  });

  it('config check: exit 2 naming the line of a misspelled key, 0 for a good file', async () => {
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'symbol: BTCUSDT\nensemble:\n  treshold: 0.7\n');
    const bad = await xylen(['config', 'check', badFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.yaml:3');
    expect(bad.stderr).toContain('did you mean "ensemble.threshold"');

    const goodFile = join(dir, 'good.yaml');
    writeFileSync(goodFile, 'ensemble:\n  threshold: 0.7\nexchange:\n  api_secret: ${XY_SECRET}\n');
    const good = await xylen(['--config', goodFile, 'config', 'check', '--json'], { XY_SECRET: 'very-secret-value' });
    expect(good.code).toBe(0);
    const parsed = JSON.parse(good.stdout) as { config: { ensemble: { threshold: number }; exchange: { api_secret: string } } };
    expect(parsed.config.ensemble.threshold).toBe(0.7);
    expect(good.stdout).not.toContain('very-secret-value');
    expect(parsed.config.exchange.api_secret).toBe('***');
  });

  it('honours --db, then XYLEN_DB, then the config data.db', async () => {
    const viaFlag = await xylen(['--db', join(dir, 'flag.duckdb'), 'data', 'migrate'], { XYLEN_DB: join(dir, 'env.duckdb') });
    expect(viaFlag.stdout).toContain('flag.duckdb');
    const viaEnv = await xylen(['data', 'migrate'], { XYLEN_DB: join(dir, 'env.duckdb') });
    expect(viaEnv.stdout).toContain('env.duckdb');
    const configFile = join(dir, 'db.yaml');
    writeFileSync(configFile, `data:\n  db: ${join(dir, 'config.duckdb')}\n`);
    const viaConfig = await xylen(['--config', configFile, 'data', 'migrate'], { XYLEN_DB: '' });
    expect(viaConfig.code).toBe(0);
    expect(viaConfig.stdout).toContain('config.duckdb');
  });
});
