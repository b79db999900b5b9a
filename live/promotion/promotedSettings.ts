import { configSchema, type XylenConfig } from '../../config/index.ts';
import { checkQuorum, inputError } from '../../engine/index.ts';
import type { RecordedModel } from './verifyModelFiles.ts';

/**
 * The config keys a promotion sets: the strategy (which models, with which versions, how their votes are combined,
 * how much is risked). Everything else is the live setup's own and stays as it is: the exchange and its keys, alerts,
 * the live process's name, ports and token, paper/testnet/mainnet, timing, the fill model of paper trading, the store.
 * A stored run's config has its secrets masked (`***`); since none of these keys holds a secret, a masked value can
 * never reach the live config (and `promotedConfig` refuses one anyway).
 */
export const PROMOTED_KEYS = ['models', 'ensemble', 'sizing', 'risk'] as const;

export type PromotedSettings = Pick<XylenConfig, (typeof PROMOTED_KEYS)[number]>;

/** What a run must share with the live setup to be promoted: the same market data and features. */
export interface LiveTarget {
  market: string;
  symbol: string;
  decisionInterval: string;
  contextInterval: string;
}

export function settingsOf(config: XylenConfig): PromotedSettings {
  return { models: config.models, ensemble: config.ensemble, sizing: config.sizing, risk: config.risk };
}

export function targetOf(config: Pick<XylenConfig, 'market' | 'symbol' | 'intervals'>): LiveTarget {
  return { market: config.market, symbol: config.symbol, decisionInterval: config.intervals.decision, contextInterval: config.intervals.context };
}

/**
 * Refuse a run made on other data than the live setup trades: another symbol or market, or other decision/context
 * intervals (its models and thresholds were judged on other features). Names every difference.
 */
export function checkSameTarget(live: LiveTarget, run: LiveTarget, runId: string): void {
  const labels: Record<keyof LiveTarget, string> = { market: 'market', symbol: 'symbol', decisionInterval: 'intervals.decision', contextInterval: 'intervals.context' };
  const differences = (Object.keys(labels) as (keyof LiveTarget)[]).filter((k) => live[k] !== run[k]).map((k) => `${labels[k]}: run ${run[k]}, live ${live[k]}`);
  if (differences.length === 0) return;
  throw inputError('PROMOTION_MISMATCH', `run ${runId} was made on other data than the live setup trades (${differences.join('; ')})`, {
    where: runId,
    hint: 'promote a run replayed on the live symbol and intervals, e.g. `xylen replay` with the same symbol, market and intervals.decision/context as the live config',
  });
}

/**
 * The promoted part of a stored run's config (its manifest's, secrets masked), with registered model versions pinned
 * to what the run actually used: an entry naming a registered model by id (`model: trend-gbdt`, its champion then)
 * becomes `model: trend-gbdt@3` when the manifest recorded that version, so a later champion does not sneak in.
 */
export function settingsFromRun(runConfig: unknown, runModels: readonly RecordedModel[], runId: string): Record<string, unknown> {
  if (typeof runConfig !== 'object' || runConfig === null) throw inputError('PROMOTION_INCOMPLETE', `run ${runId} has no stored config`, { where: runId });
  const config = runConfig as Record<string, unknown>;
  const missing = PROMOTED_KEYS.filter((k) => config[k] === undefined);
  if (missing.length > 0) {
    throw inputError('PROMOTION_INCOMPLETE', `run ${runId}'s stored config lacks ${missing.join(', ')}`, { where: runId, hint: 'replay the configuration again and promote the new run' });
  }
  const settings = Object.fromEntries(PROMOTED_KEYS.map((k) => [k, structuredClone(config[k])]));
  return { ...settings, models: pinModelVersions(settings['models'], runModels) };
}

/** `model: id` → `model: id@version` where the run's manifest says which version ran (see settingsFromRun). */
export function pinModelVersions(models: unknown, runModels: readonly RecordedModel[]): unknown {
  if (!Array.isArray(models)) return models;
  return models.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const m = entry as Record<string, unknown>;
    const ran = runModels.find((r) => r.name === m['name']);
    const pinned = ran?.version?.match(/^([A-Za-z0-9_.-]+)@([1-9][0-9]*)$/);
    if (typeof m['model'] === 'string' && pinned && m['model'].split('@')[0] === pinned[1]) return { ...m, model: ran!.version };
    return m;
  });
}

/**
 * The live config with `settings` in place of its own promoted keys, validated by the config schema as a whole. A
 * masked secret anywhere in the settings, an invalid value or an unreachable quorum is refused, naming the key.
 */
export function promotedConfig(live: XylenConfig, settings: unknown, where: string): XylenConfig {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw inputError('CONFIG_INVALID', 'the promoted settings must be a mapping of models, ensemble, sizing and risk', { where });
  }
  const given = settings as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !(PROMOTED_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw inputError('CONFIG_INVALID', `a promotion sets only ${PROMOTED_KEYS.join(', ')}; not ${unknown.join(', ')}`, { where });
  }
  const masked = maskedPaths(given, []);
  if (masked.length > 0) {
    throw inputError('MASKED_SECRET', `the promoted settings hold masked secrets ("***") at ${masked.join(', ')}`, { where, hint: 'secrets come from the live config\'s environment variables, never from a stored run' });
  }
  const merged = { ...live, ...given };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw inputError('CONFIG_INVALID', `the promoted config fails the schema (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`, {
      where,
      hint: 'every key is documented in xylen.example.yaml',
    });
  }
  const config = parsed.data;
  checkQuorum(config.ensemble.quorum, config.models.filter((m) => m.enabled).length, `${where}: ensemble.quorum`);
  return config;
}

function maskedPaths(value: unknown, path: string[]): string[] {
  if (value === '***') return [path.join('.') || '(top level)'];
  if (Array.isArray(value)) return value.flatMap((v, i) => maskedPaths(v, [...path, String(i)]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => maskedPaths(v, [...path, k]));
  return [];
}

/** Leaf-by-leaf differences between two settings, `path: before → after`, for the confirmation and the logs. */
export function settingsDiff(before: unknown, after: unknown, path: string[] = []): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => settingsDiff(before[k], after[k], [...path, k]));
  }
  const a = JSON.stringify(before);
  const b = JSON.stringify(after);
  if (a === b) return [];
  const show = (text: string | undefined) => (text === undefined ? '(none)' : text.length > 120 ? `${text.slice(0, 117)}…` : text);
  return [`${path.join('.')}: ${show(a)} → ${show(b)}`];
}
