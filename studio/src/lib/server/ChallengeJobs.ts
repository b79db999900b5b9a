import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { XylenConfig } from '../../../../config/index.ts';
import { storedExtent, type Market } from '../../../../data/index.ts';
import { formatTime, inputError, XylenError } from '../../../../engine/index.ts';
import { getModel, listModels, verifyModelFile, type ModelRecord } from '../../../../model-servers/registry/index.ts';
import type { StoreAccess } from './StoreAccess.ts';
import { studioConfig } from './studioConfig.ts';
import type { StudioSettings } from './studioSettings.ts';

export interface ChallengeJobRequest {
  modelId: string;
  /** The challenger version. */
  version: number;
  /** The out-of-sample period: [from, to), Unix ms. */
  from: number;
  to: number;
}

export interface JobStep {
  role: 'champion' | 'challenger';
  /** The model version in the ensemble (null: the baseline without the model, when it has no champion). */
  version: number | null;
  status: 'waiting' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  runId: string | null;
}

export interface ChallengeJob {
  id: string;
  request: ChallengeJobRequest;
  market: string;
  symbol: string;
  status: 'running' | 'done' | 'failed';
  steps: JobStep[];
  error: { code: string; message: string; hint?: string } | null;
  startedAt: number;
  finishedAt: number | null;
}

/**
 * Champion-vs-challenger replays started from the models page. Each runs `xylen replay` in a child process (the
 * store has one writer, and a replay is a CLI job with its own process and memory) with a config whose ensemble pins
 * the model's champion file, then the challenger's; progress comes from the child's JSON progress lines. One job at
 * a time; while it runs the studio keeps off the store (the child holds the write lock).
 */
export class ChallengeJobs {
  private readonly jobs = new Map<string, ChallengeJob>();
  private current: ChildProcess | undefined;
  private sequence = 0;

  constructor(
    private readonly access: StoreAccess,
    private readonly settings: StudioSettings,
  ) {}

  get(id: string): ChallengeJob | undefined {
    return this.jobs.get(id);
  }

  /** Newest first. */
  list(): ChallengeJob[] {
    return [...this.jobs.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  running(): ChallengeJob | undefined {
    return this.list().find((j) => j.status === 'running');
  }

  /** Check the request against the registry and the stored data, then start the replays in the background. */
  async start(request: ChallengeJobRequest): Promise<ChallengeJob> {
    const active = this.running();
    if (active) {
      throw inputError('JOB_RUNNING', `a comparison is already running (${active.request.modelId} v${active.request.version})`, {
        where: active.id,
        hint: 'wait for it to finish: the store has one writer at a time',
      });
    }
    if (!(request.from < request.to)) {
      throw inputError('BAD_RANGE', `the period is empty: ${formatTime(request.from)} is not before ${formatTime(request.to)}`, { where: 'from/to' });
    }
    const config = await studioConfig(this.settings);
    const market = config.market as Market;
    const { challenger, champion } = await this.access.read(async (store) => {
      const challenger = await getModel(store, request.modelId, request.version);
      const champion = (await listModels(store, request.modelId)).find((m) => m.status === 'champion');
      if (champion?.version === challenger.version) {
        throw inputError('MODEL_ALREADY_CHAMPION', `${request.modelId} v${request.version} is the champion: pick another version to challenge it`, { where: 'version' });
      }
      await verifyModelFile(challenger);
      if (champion) await verifyModelFile(champion);
      const extent = await storedExtent(store, { market, symbol: config.symbol });
      if (!extent || request.from < extent.from || request.to > extent.to) {
        throw inputError('PERIOD_NOT_STORED', `the store has ${market} ${config.symbol} candles ${extent ? `from ${formatTime(extent.from)} to ${formatTime(extent.to)}` : 'for no period'}`, {
          where: 'from/to',
          hint: 'choose a period inside the stored data (`xylen data ls`)',
        });
      }
      return { challenger, champion };
    });
    const ensembles = [
      { role: 'champion' as const, version: champion?.version ?? null, config: pinnedConfig(config, request.modelId, champion) },
      { role: 'challenger' as const, version: challenger.version, config: pinnedConfig(config, request.modelId, challenger) },
    ];
    const job: ChallengeJob = {
      id: `job-${Date.now().toString(36)}-${++this.sequence}`,
      request,
      market,
      symbol: config.symbol,
      status: 'running',
      steps: ensembles.map((e) => ({ role: e.role, version: e.version, status: 'waiting', done: 0, total: 0, runId: null })),
      error: null,
      startedAt: Date.now(),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    void this.run(
      job,
      ensembles.map((e) => e.config),
    );
    return job;
  }

  /** Stop the running replay (the studio is shutting down). */
  stop(): void {
    this.current?.kill('SIGTERM');
  }

  private async run(job: ChallengeJob, configs: XylenConfig[]): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'xylen-studio-job-'));
    let release: (() => void) | undefined;
    try {
      release = await this.access.holdForChild({ id: job.id, label: `comparison replay of ${job.request.modelId} v${job.request.version}` });
      for (const [i, step] of job.steps.entries()) {
        const path = join(dir, `${step.role}.yaml`);
        // JSON is YAML. The file holds no secrets: the exchange and alert sections are left out (a replay needs neither).
        await writeFile(path, JSON.stringify(configs[i]), { mode: 0o600 });
        step.status = 'running';
        step.runId = await this.replay(job, step, path);
        step.status = 'done';
      }
      job.status = 'done';
    } catch (error) {
      const failed = job.steps.find((s) => s.status === 'running');
      if (failed) failed.status = 'failed';
      job.status = 'failed';
      job.error =
        error instanceof XylenError
          ? { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }
          : { code: 'JOB_FAILED', message: error instanceof Error ? error.message : String(error) };
    } finally {
      release?.();
      job.finishedAt = Date.now();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `xylen replay` in a child process; resolves with the run id it stored. */
  private replay(job: ChallengeJob, step: JobStep, configPath: string): Promise<string> {
    const { repoRoot, dbPath } = this.settings;
    const args = [join(repoRoot, 'bin', 'xylen.js'), '--db', dbPath, '--config', configPath, 'replay'];
    args.push('--market', job.market, '--symbol', job.symbol, '--from', String(job.request.from), '--to', String(job.request.to), '--json', '--no-synth');
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: dirname(dbPath), env: { ...process.env, XYLEN_PROGRESS: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
      this.current = child;
      let stdout = '';
      let stderrText = '';
      let partial = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const progress = progressOf(line);
          if (progress) {
            step.done = progress.done;
            step.total = progress.total;
          } else stderrText += `${line}\n`;
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        this.current = undefined;
        if (code === 0) {
          try {
            const result = JSON.parse(stdout) as { runId: string; bars: number };
            step.done = step.total = result.bars;
            resolve(result.runId);
            return;
          } catch {
            reject(new Error(`xylen replay printed no result: ${stdout.slice(0, 200)}`));
            return;
          }
        }
        reject(childError(stderrText, code));
      });
    });
  }
}

/**
 * The studio config with its ensemble pinned: the model named like the registry id is replaced by that version's file
 * (added when the config does not list it; left out when there is no version, i.e. no champion yet). Quorum is capped
 * at the number of models, so a small ensemble can still decide.
 */
export function pinnedConfig(config: XylenConfig, modelId: string, version: ModelRecord | null | undefined): XylenConfig {
  const others = config.models.filter((m) => m.enabled && m.name !== modelId);
  const existing = config.models.find((m) => m.name === modelId);
  const models = version ? [...others, { name: modelId, kind: 'onnx' as const, path: version.path, weight: existing?.weight ?? 1, enabled: true }] : others;
  if (models.length === 0) {
    throw inputError('NO_BASELINE_MODELS', `${modelId} has no champion and the config has no other models: there is nothing to compare the challenger with`, {
      where: 'models',
      hint: `promote a first version (xylen models promote ${modelId} VERSION), or list other models in xylen.yaml`,
    });
  }
  const { exchange: _exchange, alerts: _alerts, data: _data, ...rest } = config;
  return { ...rest, models, ensemble: { ...config.ensemble, quorum: Math.min(config.ensemble.quorum, models.length) } } as XylenConfig;
}

function progressOf(line: string): { done: number; total: number } | undefined {
  if (!line.startsWith('{"progress"')) return undefined;
  try {
    const { progress } = JSON.parse(line) as { progress: { done: number; total: number } };
    return progress;
  } catch {
    return undefined;
  }
}

/** The child's `error[CODE]: message` and hint as an error, or its last lines. */
function childError(stderr: string, code: number | null): Error {
  const match = /error\[([A-Z_]+)\]: ([^\n]*)(?:\n\s+hint: ([^\n]*))?/.exec(stderr);
  if (match) return new XylenError('operational', match[1]!, match[2]!, match[3] ? { hint: match[3] } : {});
  return new Error(`xylen replay exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
}
