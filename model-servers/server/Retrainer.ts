import type { Logger } from 'pino';
import { XylenError } from '../../engine/index.ts';
import { loadModel } from '../ModelRuntime.ts';
import { claimModelVersion } from '../registry/index.ts';
import type { RegistryWriter } from './RegistryWriter.ts';
import type { HeldOutRows, RetrainJob, RetrainResult } from './retrainJob.ts';
import { retrainInWorker } from './retrainInWorker.ts';
import type { SampleStore } from './SampleStore.ts';
import type { ServedModel } from './ServedModel.ts';

export const DEFAULT_MIN_SAMPLES = 50;
export const DEFAULT_RETRAIN_WINDOW = 10_000;

export interface RetrainerOptions {
  model: ServedModel;
  samples: SampleStore;
  /** Retrain once this many samples are pending (default 50). */
  minSamples?: number;
  /** Train on at most the last this many samples (default 10,000). */
  window?: number;
  /** Where new versions are written (`<id>-v<version>.onnx` + card). */
  modelsDir: string;
  /** Registers each new version; without one, new versions are served and written but not registered. */
  registry?: RegistryWriter;
  /** The registry's latest version of the served id when the server started (new versions number above it). */
  latestVersion?: number;
  logger?: Logger | false;
  /** Trainer settings over the defaults (tests make a retrain slow enough to measure /predict during it). */
  gbdt?: RetrainJob['gbdt'];
  logreg?: RetrainJob['logreg'];
  /** How the job runs; default a worker thread. */
  run?: (job: RetrainJob, scoreParent: (rows: HeldOutRows) => Promise<Float64Array | null>) => Promise<RetrainResult>;
}

export interface RetrainAttempt {
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The version serving when it started, and the one it produced. */
  fromVersion: number | string;
  version: number | null;
  samples: RetrainResult['samples'] | null;
  metrics: Record<string, number> | null;
  error: { code: string; message: string; hint?: string } | null;
}

export interface RetrainState {
  running: boolean;
  /** ISO time the running retrain started. */
  runningSince: string | null;
  minSamples: number;
  window: number;
  pending: number;
  total: number;
  succeeded: number;
  failed: number;
  last: RetrainAttempt | null;
}

/**
 * A model server's retraining. After each /retrain, once `minSamples` samples are pending and no retrain runs, it
 * claims the next version number in the models dir, trains in a worker thread (retrainInWorker) from the sample
 * store, loads the new file and swaps it in (ServedModel.swap), then hands it to the RegistryWriter. The old
 * model's file is never touched (registered files are immutable): it is the backup, and a failed retrain (too few
 * or one-label samples, a trainer error) leaves it serving and says why in /health and the log.
 */
export class Retrainer {
  private readonly minSamples: number;
  private readonly window: number;
  private running: Promise<void> | undefined;
  private runningSince: number | null = null;
  private succeeded = 0;
  private failed = 0;
  private last: RetrainAttempt | null = null;
  private closed = false;
  private latest: number;

  constructor(private readonly options: RetrainerOptions) {
    this.minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
    this.window = options.window ?? DEFAULT_RETRAIN_WINDOW;
    this.latest = options.latestVersion ?? 0;
  }

  state(): RetrainState {
    const { samples } = this.options;
    return {
      running: this.running !== undefined,
      runningSince: this.runningSince === null ? null : new Date(this.runningSince).toISOString(),
      minSamples: this.minSamples,
      window: this.window,
      pending: samples.pending,
      total: samples.total,
      succeeded: this.succeeded,
      failed: this.failed,
      last: this.last,
    };
  }

  /** Start a retrain when enough samples are pending and none runs; returns at once (the work is in the background). */
  onSamples(): void {
    if (this.closed || this.running || this.options.samples.pending < this.minSamples) return;
    this.running = this.retrain().finally(() => {
      this.running = undefined;
      this.runningSince = null;
      this.onSamples(); // samples that came in meanwhile may already be enough for the next one
    });
  }

  /** Resolves when no retrain is running (the one under way, and any it chains, have finished). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No new retrains; waits for the running one. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private async retrain(): Promise<void> {
    const { model, samples, logger } = this.options;
    const log = logger || undefined;
    const started = Date.now();
    this.runningSince = started;
    const through = samples.total;
    const served = model.card;
    const servedVersion = typeof served.version === 'number' && Number.isSafeInteger(served.version) && served.version >= 1 ? served.version : undefined;
    log?.info({ model: served.id, version: served.version, samples: through }, 'retrain started');
    let claim: Awaited<ReturnType<typeof claimModelVersion>> | undefined;
    try {
      // Whatever happens next, these samples have had their retrain: the next one waits for min_samples more.
      await samples.markUsed(through);
      claim = await claimModelVersion(this.options.modelsDir, served.id, Math.max(servedVersion ?? 0, this.latest) + 1);
      const job: RetrainJob = {
        samplesPath: samples.path,
        through,
        window: this.window,
        id: served.id,
        features: [...served.features],
        classes: [...served.classes],
        trainer: served.kind === 'logreg' ? 'logreg' : 'gbdt',
        ...(this.options.gbdt ? { gbdt: this.options.gbdt } : {}),
        ...(this.options.logreg ? { logreg: this.options.logreg } : {}),
        version: claim.version,
        ...(servedVersion === undefined ? {} : { parent: servedVersion }),
        path: claim.path,
        createdAt: new Date(started).toISOString(),
      };
      const run = this.options.run ?? retrainInWorker;
      const result = await run(job, async (rows) => {
        const output = await model.runtime.predict(rows.X, rows.rows);
        return output.probabilities;
      });
      const next = await loadModel(claim.path, { card: { id: served.id, version: claim.version, features: job.features, classes: job.classes } });
      await model.swap(next);
      this.latest = claim.version;
      this.succeeded++;
      this.last = this.attempt(started, served.version, claim.version, result, null);
      log?.info({ model: served.id, version: claim.version, parent: servedVersion ?? null, durationMs: this.last.durationMs, samples: result.samples, metrics: result.card.training.metrics }, 'retrained model swapped in');
      await this.options.registry?.submit(result.card, claim.path).catch((error: unknown) => {
        log?.error({ model: served.id, version: claim!.version }, `cannot queue the retrained model for registration: ${(error as Error).message}`);
      });
    } catch (error) {
      await claim?.release().catch(() => undefined);
      const e = error instanceof XylenError ? error : undefined;
      this.failed++;
      this.last = this.attempt(started, served.version, null, null, {
        code: e?.code ?? 'RETRAIN_FAILED',
        message: (error as Error).message,
        ...(e?.hint ? { hint: e.hint } : {}),
      });
      log?.error({ model: served.id, version: served.version, code: this.last.error!.code, durationMs: this.last.durationMs }, `retrain failed, v${served.version} keeps serving: ${this.last.error!.message}`);
    }
  }

  private attempt(started: number, fromVersion: number | string, version: number | null, result: RetrainResult | null, error: RetrainAttempt['error']): RetrainAttempt {
    const finished = Date.now();
    return {
      ok: error === null,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      fromVersion,
      version,
      samples: result?.samples ?? null,
      metrics: result?.card.training.metrics ?? null,
      error,
    };
  }
}
