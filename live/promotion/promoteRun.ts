import type { XylenConfig } from '../../config/index.ts';
import { Store } from '../../data/index.ts';
import { inputError, operationalError } from '../../engine/index.ts';
import { getRun } from '../../research/index.ts';
import { loadPromotedConfig } from './loadPromotedConfig.ts';
import { promotedConfigPath, writePromotedConfig } from './promotedConfigFile.ts';
import { resolveRegisteredModels } from './resolveRegisteredModels.ts';
import { checkSameTarget, promotedConfig, settingsDiff, settingsFromRun, settingsOf, targetOf, type PromotedSettings } from './promotedSettings.ts';
import { newPromotionId, type Promotion, type PromotionInfo } from './Promotion.ts';
import { insertPromotion } from './promotionsTable.ts';
import { runEvidence, type RunEvidence } from './runEvidence.ts';
import { verifyModelFiles } from './verifyModelFiles.ts';

export interface PlanPromotionInput {
  /** The store holding the run; the promotion is recorded there. */
  storePath: string;
  runId: string;
  /** The config file's config: the live setup when no live process runs, and where its token and port are named. */
  localConfig: XylenConfig;
  /** The running live process's control API, when given explicitly (then it must answer). */
  liveUrl?: string;
  promotedBy: string;
  now?: Date;
}

export interface PromotionPlan {
  promotion: Promotion;
  evidence: RunEvidence;
  /** `running`: a live process answered at liveUrl and gets it at its next heartbeat; `next-start`: none answered. */
  delivery: 'running' | 'next-start';
  liveUrl: string;
  liveName: string;
  previous: { settings: PromotedSettings; promotionId: string | null };
  /** `path: before → after` for every setting that changes. */
  changes: string[];
  /** Where the promotion is kept for the next start when no live process runs. */
  keptAt: string | null;
  /** Things to know before saying yes. */
  warnings: string[];
}

interface LiveConfigAnswer {
  config: XylenConfig;
  promotion: PromotionInfo | null;
  pending: PromotionInfo | null;
}

/**
 * Everything `xylen promote` checks and shows before it asks: the run (complete, in the store), its evidence, the live
 * setup it would replace (the running process's, else what `xylen live` would start with), that both trade the same
 * data, and that the resulting config is valid. Throws, changing nothing, when any of it fails.
 */
export async function planPromotion(input: PlanPromotionInput): Promise<PromotionPlan> {
  const { localConfig } = input;
  const liveUrl = (input.liveUrl ?? `http://127.0.0.1:${localConfig.live.control_port}`).replace(/\/+$/, '');
  const live = await fetchLiveConfig(liveUrl, input.liveUrl !== undefined);
  if (live?.pending) {
    throw inputError('PROMOTION_PENDING', `the live process at ${liveUrl} has ${live.pending.promotionId} (run ${live.pending.runId}) waiting for its next heartbeat`, {
      hint: 'wait until it is applied (`xylen live status`), then promote again',
    });
  }
  const tokenEnv = localConfig.live.control_token_env;
  if (live && !process.env[tokenEnv]) {
    throw inputError('CONTROL_TOKEN_MISSING', `a live process runs at ${liveUrl}, and promoting to it needs its token: ${tokenEnv} is not set`, {
      hint: `export ${tokenEnv}=<the token the live process was started with>`,
    });
  }

  const store = await Store.open(input.storePath);
  let run;
  let evidence: RunEvidence;
  let settings: Record<string, unknown>;
  try {
    run = await getRun(store, input.runId);
    evidence = await runEvidence(store, run);
    settings = settingsFromRun(run.manifest.config, run.manifest.models, run.runId);
    settings['models'] = await resolveRegisteredModels(store, settings['models']);
  } finally {
    store.close();
  }
  if (run.status !== 'complete') {
    throw inputError('RUN_NOT_COMPLETE', `run ${run.runId} is ${run.status}${run.message ? ` (${run.message})` : ''}: there is no evidence to promote it on`, { where: input.runId });
  }

  let liveConfig: XylenConfig;
  let previousPromotion: string | null;
  let keptAt: string | null = null;
  if (live) {
    liveConfig = live.config;
    previousPromotion = live.promotion?.promotionId ?? null;
  } else {
    const loaded = await loadPromotedConfig(localConfig, input.storePath);
    liveConfig = loaded.config;
    previousPromotion = loaded.promotion?.promotionId ?? null;
    keptAt = loaded.path;
  }
  const d = run.manifest.data;
  const target = { market: d.market, symbol: d.symbol, decisionInterval: d.decisionInterval, contextInterval: d.contextInterval };
  checkSameTarget(targetOf(liveConfig), target, run.runId);
  const next = promotedConfig(liveConfig, settings, `run ${run.runId}`);
  // A running process checks its model files itself (it may be on another machine); for the next start, check here.
  if (!live) await verifyModelFiles(next.models, run.manifest.models, `run ${run.runId}`);

  const previous = settingsOf(liveConfig);
  const promoted = settingsOf(next);
  const changes = settingsDiff(previous, promoted);
  const warnings: string[] = [...(evidence.sweep?.warnings ?? [])];
  if (changes.length === 0) warnings.push('the run\'s settings equal the live ones: promoting it changes no setting, only the record');
  if (run.kind !== 'replay') warnings.push(`run ${run.runId} is a ${run.kind} run, not a replay`);
  if ((evidence.metrics?.trades ?? 0) === 0) warnings.push('the run closed no trade: its metrics rest on at most a position still open at its end');
  const now = input.now ?? new Date();
  return {
    promotion: {
      promotionId: newPromotionId(now),
      runId: run.runId,
      promotedBy: input.promotedBy,
      promotedAt: now.toISOString(),
      target,
      settings: promoted as unknown as Record<string, unknown>,
      models: run.manifest.models,
    },
    evidence,
    delivery: live ? 'running' : 'next-start',
    liveUrl,
    liveName: liveConfig.live.name,
    previous: { settings: previous, promotionId: previousPromotion },
    changes,
    keptAt,
    warnings,
  };
}

export interface PromotionOutcome {
  promotionId: string;
  /** `pending`: the live process accepted it for its next heartbeat; `kept`: written for the next start. */
  status: 'pending' | 'kept';
}

/**
 * Make it so: the promotion row and the live process's acceptance go together (one transaction around the POST: a
 * refusal rolls the row back), or, with no live process, the row and the promoted-config file for the next start.
 */
export async function executePromotion(plan: PromotionPlan, input: { storePath: string; localConfig: XylenConfig }): Promise<PromotionOutcome> {
  const { promotion } = plan;
  const store = await Store.open(input.storePath);
  try {
    await store.transaction(async () => {
      await insertPromotion(store, {
        promotionId: promotion.promotionId,
        promotedAt: new Date(promotion.promotedAt),
        promotedBy: promotion.promotedBy,
        runId: promotion.runId,
        liveName: plan.liveName,
        delivery: plan.delivery,
        liveUrl: plan.delivery === 'running' ? plan.liveUrl : null,
        config: promotion.settings,
        models: promotion.models,
        previousConfig: plan.previous.settings,
        previousPromotionId: plan.previous.promotionId,
        evidence: plan.evidence,
      });
      if (plan.delivery === 'running') await postPromotion(plan.liveUrl, promotion, input.localConfig.live.control_token_env);
    });
  } finally {
    store.close();
  }
  if (plan.delivery === 'next-start') writePromotedConfig(promotedConfigPath(input.localConfig, input.storePath), promotion);
  return { promotionId: promotion.promotionId, status: plan.delivery === 'running' ? 'pending' : 'kept' };
}

/** Poll the live process until it has applied `promotionId` (its next heartbeat); resolves with the heartbeat time. */
export async function waitApplied(liveUrl: string, promotionId: string, timeoutMs: number, pollMs = 250): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await fetchLiveConfig(liveUrl, true);
    const promotion = answer?.promotion;
    if (promotion?.promotionId === promotionId && promotion.appliedAt !== undefined) return promotion.appliedAt;
    if (answer?.pending?.promotionId !== promotionId) {
      throw operationalError('PROMOTION_LOST', `the live process at ${liveUrl} no longer has ${promotionId} waiting (restarted?)`, { hint: '`xylen live status` shows the promotion in force' });
    }
    if (Date.now() > deadline) throw operationalError('PROMOTION_NOT_APPLIED', `${promotionId} was not applied within ${Math.round(timeoutMs / 1000)} s`, { hint: 'it stays pending until the next heartbeat: `xylen live status`' });
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function fetchLiveConfig(liveUrl: string, required: boolean): Promise<LiveConfigAnswer | undefined> {
  let response: Response;
  try {
    response = await fetch(`${liveUrl}/config`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    if (!required) return undefined;
    throw operationalError('LIVE_UNREACHABLE', `no live process answers at ${liveUrl}: ${(error as Error).message}`, {
      where: '--live',
      hint: 'is `xylen live` running? its control API address is logged at start (control_api); without --live, a promotion with no live process running is kept for its next start',
    });
  }
  if (!response.ok) throw operationalError('LIVE_REFUSED', `GET ${liveUrl}/config answered ${response.status}`, { where: '--live' });
  return (await response.json()) as LiveConfigAnswer;
}

async function postPromotion(liveUrl: string, promotion: Promotion, tokenEnv: string): Promise<void> {
  const token = process.env[tokenEnv] ?? '';
  let response: Response;
  try {
    response = await fetch(`${liveUrl}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(promotion),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw operationalError('LIVE_UNREACHABLE', `the live process at ${liveUrl} did not answer the promotion: ${(error as Error).message}`, { hint: 'nothing was recorded; check `xylen live status` and promote again' });
  }
  if (response.ok) return;
  const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string; where?: string; hint?: string };
  const refused = `the live process refused the promotion: ${body.message ?? `HTTP ${response.status}`}`;
  const options = { ...(body.where ? { where: body.where } : {}), ...(body.hint ? { hint: body.hint } : {}) };
  // Its own checks (the data, the config, the model files) are the user's to fix (exit 2); the rest is operational.
  throw response.status === 401 || response.status === 503
    ? operationalError('LIVE_REFUSED', refused, { hint: `${tokenEnv} must hold the token the live process was started with` })
    : response.status >= 400 && response.status < 500
      ? inputError(body.error ?? 'LIVE_REFUSED', refused, options)
      : operationalError('LIVE_REFUSED', refused, options);
}
