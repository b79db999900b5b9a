import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HeartbeatRecord } from '../engine/index.ts';
import { startFourModelServers } from './test/modelServers.ts';
import { importedStore, parityConfig, runOverSim } from './test/liveFixture.ts';

const TOKEN = { env: 'XYLEN_TEST_MODEL_TOKEN', value: 'modelTokenNeverLogged0123456789abcdef' };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('live process and token-protected model servers', () => {
  it('sends the bearer token named by live.model_token_env: every server votes; without it none does', { timeout: 120_000 }, async () => {
    const { dir, storePath } = await importedStore();
    dirs.push(dir);
    const servers = await startFourModelServers(undefined, TOKEN);
    const logs: string[] = [];
    const answered = async (withToken: boolean): Promise<number[]> => {
      const base = parityConfig({ models: Object.entries(servers.urls).map(([name, endpoint]) => ({ name, kind: 'http' as const, endpoint })), ensemble: { quorum: 1 } });
      const overrides = { dry_run: true, live: { ...base.live, control_port: 0, ...(withToken ? { model_token_env: TOKEN.env } : {}) } };
      const records = await runOverSim(storePath, base, dir, { overrides, bars: 30, log: (event, detail) => logs.push(JSON.stringify({ event, ...detail })) });
      return records.filter((r): r is HeartbeatRecord => r.type === 'heartbeat').map((b) => b.votes.length);
    };
    process.env[TOKEN.env] = TOKEN.value;
    try {
      const withToken = await answered(true);
      expect(withToken.length).toBeGreaterThanOrEqual(5);
      expect(withToken.every((n) => n === 4)).toBe(true);
      const without = await answered(false);
      expect(without.length).toBeGreaterThanOrEqual(5);
      expect(without.every((n) => n === 0)).toBe(true); // 401 from every server: no vote
    } finally {
      delete process.env[TOKEN.env];
      await servers.stop();
    }
    expect(logs.join('\n')).not.toContain(TOKEN.value);
  });
});
