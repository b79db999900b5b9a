import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runXylen } from '../../test/runXylen.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-live-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('xylen live and xylen exchange-sim on the command line', () => {
  it('refuses mainnet without --mainnet, and with it without the confirmation variable', async () => {
    const mainnet = config('mainnet.yaml', 'dry_run: false\ntestnet: false\n');
    const refused = await runXylen(['--config', mainnet, '--db', join(dir, 's.duckdb'), 'live']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/MAINNET_NOT_CONFIRMED.*--mainnet/s);
    const unconfirmed = await runXylen(['--config', mainnet, '--db', join(dir, 's.duckdb'), 'live', '--mainnet'], { XYLEN_CONFIRM_MAINNET: 'sure' });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('XYLEN_CONFIRM_MAINNET=yes-i-mean-real-money');
  });

  it('says which keys the testnet needs, and never echoes a secret', async () => {
    const testnet = config('testnet.yaml', 'dry_run: false\ntestnet: true\nexchange:\n  api_secret: ${LIVE_CLI_SECRET}\n');
    const run = await runXylen(['--config', testnet, '--db', join(dir, 's.duckdb'), 'live'], { LIVE_CLI_SECRET: 'do-not-print-me-0123456789' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/EXCHANGE_KEYS_MISSING.*exchange\.api_key/s);
    expect(run.stdout + run.stderr).not.toContain('do-not-print-me');
  });

  it('exchange-sim needs its key and secret from the environment', async () => {
    const run = await runXylen(['--db', join(dir, 's.duckdb'), 'exchange-sim', '--key-env', 'NO_SUCH_SIM_KEY_VAR']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SECRET_ENV_MISSING.*NO_SUCH_SIM_KEY_VAR/s);
  });

  it('live stop needs the control token, and status says when no live process answers', async () => {
    const plain = config('plain.yaml', 'live:\n  control_token_env: LIVE_CLI_TOKEN_UNSET\n');
    const stop = await runXylen(['--config', plain, 'live', 'stop', '--flatten']);
    expect(stop.code).toBe(2);
    expect(stop.stderr).toContain('LIVE_CLI_TOKEN_UNSET');
    const status = await runXylen(['--config', plain, 'live', 'status', '--url', 'http://127.0.0.1:9']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('LIVE_UNREACHABLE');
  });
});
