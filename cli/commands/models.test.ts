// `xylen model train` and `xylen models …` end to end on a temp store of real BTCUSDT 5m + 1h candles.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureNames, XylenError } from '../../engine/index.ts';
import { loadConfig } from '../../config/index.ts';
import { importPaths, Store } from '../../data/index.ts';
import { bindModel, loadModel } from '../../model-servers/index.ts';
import { listPendingRegistrations, queueRegistration } from '../../model-servers/registry/index.ts';
import { foldModelId, isFoldModelId } from '../../research/walkforward/foldModelId.ts';
import { SHARED_DATA } from '../../test/paths.ts';
import { buildProgram } from '../main.ts';

const DIR = join(SHARED_DATA, 'binance-usdm/BTCUSDT');
let dir: string;
let db: string;

/**
 * Run the commands in-process on the real program: stdout as text, or the XylenError a failing command threw (the CLI
 * maps it to its exit code).
 */
async function xylen(args: string[]): Promise<{ stdout: string; error?: XylenError }> {
  const program = buildProgram();
  let stdout = '';
  const saved = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['--db', db, ...args], { from: 'user' });
    return { stdout };
  } catch (error) {
    if (error instanceof XylenError) return { stdout, error };
    throw error;
  } finally {
    process.stdout.write = saved;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-models-cli-'));
  db = join(dir, 'store.duckdb');
  const store = await Store.open(db);
  await importPaths(store, [join(DIR, 'BTCUSDT-5m-2023-01-01_2024-05-14.csv'), join(DIR, 'BTCUSDT-1h-2023-01-01_2024-05-14.csv')], {});
  store.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('xylen model train', () => {
  it('trains, writes models/<id>-v1.onnx beside the store, registers a candidate and prints its test metrics', async () => {
    const { stdout, error } = await xylen(['model', 'train', '--from', '2023-01-01', '--to', '2023-03-01', '--kind', 'gbdt', '--features', 'ret_1,ret_12,rsi_14,ctx_ret_1', '--name', 'cli-gbdt', '--json']);
    expect(error).toBeUndefined();
    const { record, card } = JSON.parse(stdout);
    expect(record.path).toBe(join(dir, 'models', 'cli-gbdt-v1.onnx'));
    expect(record.status).toBe('candidate');
    expect(card.features).toEqual(['ret_1', 'ret_12', 'rsi_14', 'ctx_ret_1']);
    expect(card.training.metrics).toEqual(record.trainingMetrics);
    expect(card.training.metrics.logLoss).toBeGreaterThan(0);
    const runtime = await loadModel(record.path);
    expect(() => bindModel(runtime, featureNames(true))).not.toThrow();
    await runtime.close();

    const text = await xylen(['model', 'train', '--from', '2023-01-01', '--to', '2023-03-01', '--kind', 'logreg', '--label', 'triple-barrier', '--tp', '0.006', '--sl', '0.006', '--horizon', '24', '--name', 'cli-gbdt']);
    expect(text.stdout).toContain('cli-gbdt v2 (logreg, candidate, parent v1)');
    expect(text.stdout).toMatch(/test\s+\d/);
    expect(text.stdout).toContain('triple-barrier h24 (tp 0.006, sl 0.006)');
  });

  it('bad flags are input errors naming the flag', async () => {
    for (const [args, where] of [
      [['--kind', 'forest'], '--kind'],
      [['--label', 'sign'], '--label'],
      [['--features', 'ret_1,vol_z'], '--features'],
      [['--tp', '-1', '--label', 'triple-barrier'], '--tp'],
      [['--name', 'a b'], '--name'],
      [['--models-dir', join(dir, 'store.duckdb')], '--models-dir'],
    ] as const) {
      const { error } = await xylen(['model', 'train', '--from', '2023-01-01', '--to', '2023-03-01', ...args]);
      expect(error?.exitCode, args.join(' ')).toBe(2);
      expect(error?.where).toBe(where);
    }
  });
});

describe('xylen models', () => {
  it('ls, promote, show and rollback a model through its versions', async () => {
    const listed = JSON.parse((await xylen(['models', 'ls', 'cli-gbdt', '--json'])).stdout);
    expect(listed.map((m: { version: number }) => m.version)).toEqual([1, 2]);
    expect((await xylen(['models', 'promote', 'cli-gbdt', '1'])).stdout).toContain('v1 is the champion');
    expect((await xylen(['models', 'promote', 'cli-gbdt', '2', '--reason', 'lower log-loss'])).stdout).toContain('v1 retired');
    const shown = JSON.parse((await xylen(['models', 'show', 'cli-gbdt', '--json'])).stdout);
    expect(shown).toMatchObject({ version: 2, status: 'champion', parentVersion: 1 });
    expect(shown.events.at(-1)).toMatchObject({ event: 'promote', version: 2, previousVersion: 1, reason: 'lower log-loss' });
    expect(JSON.parse((await xylen(['models', 'rollback', 'cli-gbdt', '--json'])).stdout)).toEqual({ modelId: 'cli-gbdt', champion: 1, previous: 2 });
    const table = (await xylen(['models', 'ls'])).stdout;
    expect(table).toMatch(/cli-gbdt\s+1\s+gbdt\s+champion/);
    expect(table).toMatch(/cli-gbdt\s+2\s+1\s+logreg\s+retired/);
    expect((await xylen(['models', 'promote', 'nope', '1'])).error?.code).toBe('MODEL_NOT_REGISTERED');
    expect((await xylen(['models', 'promote', 'cli-gbdt', 'two'])).error?.where).toBe('VERSION');
  });

  it('ls leaves out the models walk-forward folds trained, says how many, and lists them with --all or by id', async () => {
    const fold = foldModelId('wf-20240514-093000-a1b2', 0, 'cli-trend');
    expect(isFoldModelId(fold)).toBe(true);
    expect(isFoldModelId('cli-gbdt')).toBe(false);
    const trained = await xylen(['model', 'train', '--from', '2023-01-01', '--to', '2023-02-01', '--kind', 'logreg', '--features', 'ret_1,ret_12', '--name', fold, '--json']);
    expect(trained.error).toBeUndefined();
    const ids = async (args: string[]) => new Set(JSON.parse((await xylen(['models', 'ls', ...args, '--json'])).stdout).map((m: { modelId: string }) => m.modelId));
    expect((await ids([])).has(fold)).toBe(false);
    expect((await ids([])).has('cli-gbdt')).toBe(true);
    expect((await ids(['--all'])).has(fold)).toBe(true);
    expect((await ids([fold])).has(fold)).toBe(true);
    const saved = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
    try {
      expect((await xylen(['models', 'ls'])).stdout).not.toContain(fold);
    } finally {
      process.stderr.write = saved;
    }
    expect(stderr).toContain('1 model(s) trained by walk-forward folds not listed: --all lists them');
  });

  it('init trains the zoo as champions and --write-config puts them in the config, keeping its other keys and models', async () => {
    const configPath = join(dir, 'xylen.yaml');
    await writeFile(configPath, '# my settings\nsymbol: BTCUSDT\nmodels:\n  - name: rsi\n    kind: rule\n    rule: rsi\n');
    const { stdout, error } = await xylen(['--config', configPath, 'models', 'init', '--from', '2023-01-01', '--to', '2023-03-01', '--write-config']);
    expect(error).toBeUndefined();
    expect(stdout).toContain('models list updated');
    const config = await loadConfig(configPath, { required: true });
    expect(config.models.map((m) => `${m.name}:${m.kind}`)).toEqual(['rsi:rule', 'trend-gbdt:onnx', 'reversion-gbdt:onnx', 'momentum-logreg:onnx', 'all-gbdt-tb:onnx']);
    expect(await readFile(configPath, 'utf8')).toContain('# my settings');
    for (const m of config.models.filter((m) => m.kind === 'onnx')) expect((await loadModel(m.path!)).card.id).toBe(m.name);
    const champions = JSON.parse((await xylen(['models', 'ls', '--json'])).stdout).filter((m: { status: string }) => m.status === 'champion');
    expect(champions.map((m: { modelId: string }) => m.modelId).sort()).toEqual(['all-gbdt-tb', 'cli-gbdt', 'momentum-logreg', 'reversion-gbdt', 'trend-gbdt']);
  });

  it('sync registers the versions model servers queued while the store was busy; promote registers them first too', async () => {
    const modelsDir = join(dir, 'models');
    const queue = async (version: number) => {
      const path = join(modelsDir, `cli-gbdt-v${version}.onnx`);
      await copyFile(join(modelsDir, 'cli-gbdt-v1.onnx'), path);
      const runtime = await loadModel(path);
      const card = { ...runtime.card, version, parent: 1, createdAt: '2024-06-01T00:00:00.000Z' };
      await runtime.close();
      await queueRegistration(modelsDir, card, path, '2024-06-01T00:00:00.000Z');
    };
    await queue(3);
    const synced = await xylen(['models', 'sync', '--json']);
    expect(JSON.parse(synced.stdout).registered.map((r: { version: number; parentVersion: number; status: string }) => [r.version, r.parentVersion, r.status])).toEqual([[3, 1, 'candidate']]);
    expect((await xylen(['models', 'sync'])).stdout).toContain('nothing queued');
    await queue(4);
    expect((await xylen(['models', 'promote', 'cli-gbdt', '4'])).stdout).toContain('v4 is the champion');
    expect(await listPendingRegistrations(modelsDir)).toEqual([]);
    expect((await xylen(['models', 'rollback', 'cli-gbdt'])).error).toBeUndefined();
  });

  it('init with no data for the symbol points at import and synth', async () => {
    const { error } = await xylen(['models', 'init', '--symbol', 'ETHUSDT']);
    expect(error?.code).toBe('NO_DATA');
    expect(error?.exitCode).toBe(2);
    expect(error?.hint).toContain('xylen data synth');
  });
});
