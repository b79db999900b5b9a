import type { XylenConfig } from '../../config/index.ts';
import { inputError, operationalError, type Ensemble, type Heartbeat, type Journal, type ModelClient } from '../../engine/index.ts';
import { canonicalJson } from '../../research/index.ts';
import { writePromotedConfig } from './promotedConfigFile.ts';
import { checkSameTarget, promotedConfig, settingsDiff, settingsOf, targetOf } from './promotedSettings.ts';
import { infoOf, parsePromotion, type Promotion, type PromotionInfo } from './Promotion.ts';
import { verifyModelFiles } from './verifyModelFiles.ts';

/** A live process's model clients: as built (closed when replaced) and as the coordinator asks them (timed). */
export interface LiveModels {
  raw: ModelClient[];
  used: ModelClient[];
}

export interface LivePromoterDeps {
  /** The config in force at start (xylen.yaml, with the promoted-config file's settings when there is one). */
  config: XylenConfig;
  /** The promotion that config came from, when it came from one. */
  promotion?: PromotionInfo;
  models: LiveModels;
  build(config: XylenConfig): Promise<LiveModels>;
  ensembleFor(config: XylenConfig): Ensemble;
  coordinator: { reconfigure(next: { models?: readonly ModelClient[]; ensemble?: Ensemble; threshold?: number }): Promise<void> };
  risk: { reconfigure(options: Pick<XylenConfig, 'sizing' | 'risk'>): void };
  journal: Journal;
  /** Signed quantity held (journaled with the change). */
  position(): number;
  featureNames: readonly string[];
  /** Where an accepted promotion is kept for the next start; none: not kept (tests of the session alone). */
  persistPath?: string;
  log(event: string, detail: Record<string, unknown>): void;
  /** Time a model server gets to answer GET /health when a promotion names it [2000 ms]. */
  healthTimeoutMs?: number;
}

interface Pending {
  promotion: Promotion;
  config: XylenConfig;
  models: LiveModels | undefined;
  changes: string[];
}

/**
 * Promotions in a running live process. `submit` checks a promotion completely while trading goes on — the same data
 * as the live setup, the whole config valid, model files the run's own (SHA-256), model servers answering — and builds
 * its model clients; nothing changes if any of it fails. `applyBefore` swaps it in at the next heartbeat, before that
 * heartbeat's decision, never during one (the runner handles candles one at a time). What happens to an open position
 * is in engine's Coordinator.reconfigure: it keeps its exchange-side stop-loss and take-profit and closes as placed.
 */
export class LivePromoter {
  private config: XylenConfig;
  private live: LiveModels;
  private info: PromotionInfo | null;
  private waiting: Pending | undefined;
  private checking = false;
  private closed = false;

  constructor(private readonly deps: LivePromoterDeps) {
    this.config = deps.config;
    this.live = deps.models;
    this.info = deps.promotion ?? null;
  }

  /** The config in force now (secrets included: mask it before showing it). */
  get current(): XylenConfig {
    return this.config;
  }

  get models(): readonly ModelClient[] {
    return this.live.used;
  }

  get promotion(): PromotionInfo | null {
    return this.info;
  }

  get pending(): PromotionInfo | null {
    return this.waiting ? infoOf(this.waiting.promotion, 'promote') : null;
  }

  async submit(body: unknown): Promise<{ status: 'pending'; promotion: PromotionInfo; changes: string[] }> {
    if (this.closed) throw inputError('LIVE_STOPPING', 'the live process is stopping');
    if (this.waiting || this.checking) {
      const id = this.waiting?.promotion.promotionId ?? 'another promotion';
      throw inputError('PROMOTION_PENDING', `${id} is waiting for the next heartbeat`, { hint: 'wait until it is applied (GET /config shows it), then promote again' });
    }
    this.checking = true;
    try {
      const promotion = parsePromotion(body, 'POST /config');
      checkSameTarget(targetOf(this.config), promotion.target, promotion.runId);
      const where = `promotion ${promotion.promotionId} (run ${promotion.runId})`;
      const config = promotedConfig(this.config, promotion.settings, where);
      const modelsChange = canonicalJson(config.models) !== canonicalJson(this.config.models);
      let models: LiveModels | undefined;
      if (modelsChange) {
        await verifyModelFiles(config.models, promotion.models, where);
        await this.checkServers(config, where);
        models = await this.deps.build(config);
      }
      if (this.closed) {
        await closeAll(models?.raw ?? []);
        throw inputError('LIVE_STOPPING', 'the live process is stopping');
      }
      const changes = settingsDiff(settingsOf(this.config), settingsOf(config));
      // Kept before it is accepted, so a restart before the next heartbeat comes up with what was accepted (and a
      // file that cannot be written refuses the promotion instead of leaving a restart to the old settings).
      if (this.deps.persistPath) {
        try {
          writePromotedConfig(this.deps.persistPath, promotion);
        } catch (error) {
          await closeAll(models?.raw ?? []);
          throw operationalError('PROMOTION_NOT_KEPT', `cannot write ${this.deps.persistPath}: ${(error as Error).message}`);
        }
      }
      this.waiting = { promotion, config, models, changes };
      this.deps.log('promotion_accepted', { promotionId: promotion.promotionId, runId: promotion.runId, by: promotion.promotedBy, changes, kept: this.deps.persistPath ?? null });
      return { status: 'pending', promotion: infoOf(promotion, 'promote'), changes };
    } finally {
      this.checking = false;
    }
  }

  /** Called by the runner before each heartbeat's decision: applies a waiting promotion, if any. */
  async applyBefore(beat: Heartbeat, previous: Heartbeat | undefined): Promise<void> {
    const pending = this.waiting;
    if (!pending) return;
    this.waiting = undefined;
    const before = this.config;
    const next = pending.config;
    if (pending.models && previous) this.prime(pending.models.used, previous);
    const ensembleChange = pending.models !== undefined || canonicalJson(ensembleShape(before)) !== canonicalJson(ensembleShape(next));
    const ensemble = ensembleChange ? this.deps.ensembleFor(next) : undefined;
    await this.deps.coordinator.reconfigure({ ...(pending.models ? { models: pending.models.used } : {}), ...(ensemble ? { ensemble } : {}), threshold: next.ensemble.threshold });
    this.deps.risk.reconfigure({ sizing: next.sizing, risk: next.risk });
    const position = this.deps.position();
    const { promotion } = pending;
    this.deps.journal.record({
      type: 'config',
      ts: beat.ts,
      promotionId: promotion.promotionId,
      sourceRunId: promotion.runId,
      promotedBy: promotion.promotedBy,
      previous: canonicalJson(settingsOf(before)),
      next: canonicalJson(settingsOf(next)),
      position,
    });
    const replaced = pending.models ? this.live : undefined;
    if (pending.models) this.live = pending.models;
    this.config = next;
    this.info = infoOf(promotion, 'promote', beat.ts);
    this.deps.log('promotion_applied', { promotionId: promotion.promotionId, runId: promotion.runId, at: beat.ts, position, changes: pending.changes, newEnsemble: ensembleChange });
    if (replaced) void closeAll(replaced.raw);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.waiting;
    this.waiting = undefined;
    await closeAll([...this.live.raw, ...(pending?.models?.raw ?? [])]);
  }

  /**
   * Streaming rule models keep the previous feature row (a cross needs two): show them the last heartbeat's row, so
   * their first vote equals the replay's for the same bar.
   */
  private prime(models: readonly ModelClient[], previous: Heartbeat): void {
    const request = { ts: previous.ts, row: previous.row, features: previous.features, names: this.deps.featureNames };
    for (const m of models) {
      try {
        m.predictNow?.(request);
      } catch {
        // a model that cannot answer now is left out of the next vote anyway
      }
    }
  }

  /** Every model server the promotion names answers GET /health now, or the promotion is refused. */
  private async checkServers(config: XylenConfig, where: string): Promise<void> {
    const timeoutMs = this.deps.healthTimeoutMs ?? 2000;
    for (const [i, m] of config.models.entries()) {
      if (!m.enabled || m.kind !== 'http' || !m.endpoint) continue;
      const url = new URL('/health', m.endpoint);
      const ok = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.ok, () => false);
      if (!ok) throw inputError('MODEL_UNREACHABLE', `model "${m.name}": ${url.href} does not answer 200`, { where: `${where}: models.${i}.endpoint`, hint: 'start the model server (xylen model-server) where the live process can reach it, then promote again' });
    }
  }
}

/** What an Ensemble is built from, the threshold aside (a threshold change keeps the models' records). */
function ensembleShape(config: XylenConfig): unknown {
  const { threshold: _threshold, ...rest } = config.ensemble;
  return { ...rest, weights: config.models.map((m) => [m.name, m.weight, m.enabled]) };
}

async function closeAll(models: readonly ModelClient[]): Promise<void> {
  for (const m of models) {
    const closable = m as ModelClient & { close?: () => unknown };
    try {
      await closable.close?.();
    } catch {
      // closing is best effort
    }
  }
}
