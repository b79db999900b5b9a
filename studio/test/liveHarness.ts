import { rmSync } from 'node:fs';
import { startLiveProcess, type ExchangeSim, type LiveProcess } from '../../live/index.ts';
import { importedStore, liveConfigFor, parityConfig, simOverStore } from '../../live/test/liveFixture.ts';

/** A live process (in this process) trading against the exchange simulator, stepped bar by bar by the test. */
export interface LiveHarness {
  /** The live process's control API. */
  controlUrl: string;
  /** Its control token, and the environment variable it reads it from. */
  token: string;
  tokenEnv: string;
  live: LiveProcess;
  sim: ExchangeSim;
  /** Its JSON log lines, parsed. */
  logs: Record<string, unknown>[];
  /** Close one more 1m bar on the simulator and wait until the live process has handled it; false at the end of the data. */
  step(): Promise<boolean>;
  /** Step until `done()` holds (checked after each bar) or `limit` bars; returns the bars stepped. */
  stepUntil(done: () => boolean | Promise<boolean>, limit?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Two days of real 1m BTCUSDT candles (2025-05-10 → 12) in a temp store, the loopback exchange simulator over them
 * (manual pace), and `xylen live`'s process (startLiveProcess: session, control API with its SSE channel, metrics)
 * in exchange mode against it, with the parity tests' config that trades often.
 */
export async function startLiveHarness(token: string, tokenEnv = 'XYLEN_STUDIO_TEST_LIVE_TOKEN'): Promise<LiveHarness> {
  const { dir, storePath } = await importedStore();
  const config = parityConfig();
  const sim = await simOverStore(storePath, config);
  process.env[tokenEnv] = token;
  const logs: Record<string, unknown>[] = [];
  let live: LiveProcess;
  try {
    const liveConfig = liveConfigFor(sim, config, dir);
    live = await startLiveProcess({ ...liveConfig, live: { ...liveConfig.live, control_token_env: tokenEnv } }, { storePath, print: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  } catch (error) {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  void live.done.then(() => (stopped = true));
  const step = async () => {
    if (stopped || !(await sim.step())) return false;
    await Promise.race([live.session.runner.handled(sim.market.lastClose), live.done]);
    return true;
  };
  return {
    controlUrl: live.control.url,
    token,
    tokenEnv,
    live,
    sim,
    logs,
    step,
    async stepUntil(done, limit = 2000) {
      let bars = 0;
      while (bars < limit && !(await done())) {
        if (!(await step())) break;
        bars++;
      }
      return bars;
    },
    async stop() {
      if (!stopped) await live.stop(false).catch(() => undefined);
      await live.done;
      await sim.close();
      delete process.env[tokenEnv];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
