import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importedStore } from '../../live/test/liveFixture.ts';
import { runXylen } from '../../test/runXylen.ts';
import { startFromFlags } from './exchangeSim.ts';

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

  it('refuses to start when the model servers\' token variable is named but not set', async () => {
    const paper = config('model-token.yaml', 'live:\n  model_token_env: NO_SUCH_MODEL_TOKEN_VAR\n');
    const run = await runXylen(['--config', paper, '--db', join(dir, 's.duckdb'), 'live']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/MODEL_TOKEN_MISSING.*NO_SUCH_MODEL_TOKEN_VAR/s);
  });

  it('exchange-sim needs its key and secret from the environment', async () => {
    const run = await runXylen(['--db', join(dir, 's.duckdb'), 'exchange-sim', '--key-env', 'NO_SUCH_SIM_KEY_VAR']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SECRET_ENV_MISSING.*NO_SUCH_SIM_KEY_VAR/s);
  });

  it('exchange-sim serves the stored candles from --from on, closed bars only, at --speed', async () => {
    const { dir: storeDir, storePath } = await importedStore();
    process.env['LIVE_CLI_SIM_KEY'] = 'k';
    process.env['LIVE_CLI_SIM_SECRET'] = 's';
    const sim = await startFromFlags(
      { port: '0', host: '127.0.0.1', symbol: 'BTCUSDT', market: 'usdm', from: '2025-05-10', to: '2025-05-11', speed: '60000', historyHours: '2', balance: '5000', keyEnv: 'LIVE_CLI_SIM_KEY', secretEnv: 'LIVE_CLI_SIM_SECRET' },
      storePath,
    );
    try {
      const first = Date.UTC(2025, 4, 10);
      const history = (await (await fetch(`${sim.url}/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1500`)).json()) as [number][];
      expect(history[0]![0]).toBe(first - 2 * 3_600_000);
      await new Promise((r) => setTimeout(r, 50)); // 60000×: a 1m bar per millisecond
      const status = (await (await fetch(`${sim.url}/_sim/status`)).json()) as { barsClosed: number; marketTime: number; wallet: number };
      expect(status.marketTime).toBeGreaterThan(first + 10 * 60_000);
      expect(status.wallet).toBe(5000);
      const latest = (await (await fetch(`${sim.url}/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1`)).json()) as [number][];
      expect(latest[0]![0] + 60_000).toBeLessThanOrEqual(((await (await fetch(`${sim.url}/_sim/status`)).json()) as { marketTime: number }).marketTime);
    } finally {
      await sim.close();
      rmSync(storeDir, { recursive: true, force: true });
      delete process.env['LIVE_CLI_SIM_KEY'];
      delete process.env['LIVE_CLI_SIM_SECRET'];
    }
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
