import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, SHARED_MODELS } from '../../test/paths.ts';

/** The fixtures' 10 inputs renamed to engine features (as model-servers' swap test does): mechanically valid models. */
const ENGINE_NAMES = ['ret_1', 'ret_12', 'rsi_14', 'volume_z_48', 'ema_dist_9', 'ema_dist_21', 'macd_hist_rel', 'bb_pctb_20', 'bb_width_20', 'atr_rel_14'];

export interface ModelServers {
  /** name → http://127.0.0.1:port */
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Four `xylen model-server` processes on free loopback ports: by default the shared ONNX (PyTorch MLP) and XGBoost
 * fixture models twice each under engine feature names; or four registered models of a store (`xylen models init`).
 */
export async function startFourModelServers(
  registry?: { storePath: string; ids: readonly string[] },
  token?: { env: string; value: string },
  /** Extra `xylen model-server` flags, e.g. `--no-retrain`. */
  extraArgs: readonly string[] = [],
): Promise<ModelServers> {
  const dir = await mkdtemp(join(tmpdir(), 'xylen-live-models-'));
  const children: ChildProcess[] = [];
  const specs = [
    { name: 'mlp_a', file: 'torch_mlp.onnx', ext: 'onnx' },
    { name: 'xgb_a', file: 'xgb_softprob.json', ext: 'json' },
    { name: 'mlp_b', file: 'torch_mlp.onnx', ext: 'onnx' },
    { name: 'xgb_b', file: 'xgb_softprob.json', ext: 'json' },
  ];
  const start = async ({ name, file, ext }: (typeof specs)[number], i: number): Promise<[string, string]> => {
    let model: string[];
    if (registry) {
      name = registry.ids[i]!;
      model = ['--db', registry.storePath, 'model-server', '--model', name];
    } else {
      const path = join(dir, `${name}.${ext}`);
      await copyFile(join(SHARED_MODELS, file), path);
      await writeFile(join(dir, `${name}.card.json`), JSON.stringify({ id: name, version: 1, features: ENGINE_NAMES }));
      model = ['model-server', '--model', path];
    }
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'xylen.js'), ...model, '--port', '0', '--samples', join(dir, `${name}.jsonl`), ...(token ? ['--token-env', token.env] : []), ...extraArgs], {
      cwd: dir,
      env: { ...process.env, ...(token ? { [token.env]: token.value } : {}) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    const url = await new Promise<string>((found, fail) => {
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) found(match[1]!);
      });
      child.once('exit', (code) => fail(new Error(`model server ${name} exited (${code}) before listening: ${stderr}`)));
    });
    return [name, url];
  };
  try {
    const urls = Object.fromEntries(await Promise.all(specs.map(start)));
    return { urls, stop: () => stopAll(children, dir) };
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
}

async function stopAll(children: ChildProcess[], dir: string): Promise<void> {
  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  await Promise.all(children.map((child) => new Promise((done) => (running(child) ? (child.once('exit', done), child.kill('SIGTERM')) : done(null)))));
  await rm(dir, { recursive: true, force: true });
}
