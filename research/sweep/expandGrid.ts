import { createHash } from 'node:crypto';
import { configSchema, type XylenConfig } from '../../config/index.ts';
import { checkQuorum, inputError } from '../../engine/index.ts';
import { canonicalJson } from '../journal/canonicalJson.ts';
import type { Grid } from './parseGrid.ts';

/** One configuration of a sweep: its position in the grid's product, the values the grid gave it, the whole config. */
export interface SweepConfig {
  index: number;
  /** `configHash` of `config`: the key of its result, so a rerun skips it and a retried job is not counted twice. */
  hash: string;
  /** Grid key → value, e.g. `{ 'ensemble.threshold': 0.6, models: ['momentum', 'rsi'] }`. */
  params: Record<string, unknown>;
  config: XylenConfig;
}

/** Sections that never change what a replay does: left out of the hash, so editing them does not restart a sweep. */
const NOT_REPLAYED = ['data', 'exchange', 'alerts', 'dry_run', 'testnet'] as const;

/** 16 hex digits of SHA-256 over the canonical JSON of the parts of a config that a replay reads. */
export function configHash(config: XylenConfig): string {
  const replayed: Record<string, unknown> = { ...config };
  for (const key of NOT_REPLAYED) delete replayed[key];
  return createHash('sha256').update(canonicalJson(replayed)).digest('hex').slice(0, 16);
}

/**
 * Every configuration of the grid over `base` (the effective xylen.yaml): the product of the axes in file order,
 * each value checked against the config schema first (an error names the grid line and the key), and configs that
 * come out identical kept once.
 */
export function expandGrid(grid: Grid, base: XylenConfig, limit = 100_000): SweepConfig[] {
  // Validate each axis value alone on the base config, so an error points at the line that wrote it.
  for (const axis of grid.axes) for (const value of axis.values) withOverrides(base, { [axis.key]: value }, `${grid.file}:${axis.line}`);
  const total = grid.axes.reduce((n, axis) => n * axis.values.length, 1);
  if (total > limit) {
    throw inputError('GRID_TOO_LARGE', `the grid makes ${total.toLocaleString('en-US')} configurations (at most ${limit.toLocaleString('en-US')})`, {
      where: grid.file,
      hint: 'sample the larger axes ({sample: N, seed, …}) or use coarser ranges',
    });
  }
  const configs: SweepConfig[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) {
    const params: Record<string, unknown> = {};
    let rest = i;
    for (let a = grid.axes.length - 1; a >= 0; a--) {
      const axis = grid.axes[a]!;
      params[axis.key] = axis.values[rest % axis.values.length];
      rest = Math.floor(rest / axis.values.length);
    }
    const ordered = Object.fromEntries(grid.axes.map((axis) => [axis.key, params[axis.key]]));
    const config = withOverrides(base, ordered, `${grid.file} (configuration ${describeParams(ordered)})`);
    checkRunnable(config, ordered, grid.file);
    const hash = configHash(config);
    if (seen.has(hash)) continue;
    seen.add(hash);
    configs.push({ index: configs.length, hash, params: ordered, config });
  }
  return configs;
}

/** `key=value, …` for messages and tables. */
export function describeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
    .join(', ');
}

/** The base config with dotted-key overrides applied and validated again by the schema. */
export function withOverrides(base: XylenConfig, overrides: Record<string, unknown>, where: string): XylenConfig {
  const draft = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (key === 'models') {
      draft['models'] = applyModelSet(base, value as string[], where);
      continue;
    }
    const path = key.split('.');
    let node = draft;
    for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
    node[path.at(-1)!] = value;
  }
  const result = configSchema.safeParse(draft);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}${describeIssue(issue)}`);
  throw inputError('GRID_INVALID_VALUE', `${problems.join('; ')} (${describeParams(overrides)})`, {
    where,
    hint: 'every key and its allowed values are documented in xylen.example.yaml',
  });
}

function describeIssue(issue: { code: string; message: string; values?: unknown[]; expected?: string }): string {
  if (issue.code === 'invalid_value' && issue.values) return `: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.expected) return `: expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
  return `: ${issue.message}`;
}

function applyModelSet(base: XylenConfig, names: string[], where: string): XylenConfig['models'] {
  const known = base.models.map((m) => m.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw inputError('GRID_UNKNOWN_MODEL', `models: no model named ${unknown.map((n) => `"${n}"`).join(', ')} in the config`, {
      where,
      hint: `the config's models: ${known.join(', ')} (add others to xylen.yaml's models: list, enabled: false, to sweep them in)`,
    });
  }
  return base.models.map((m) => ({ ...m, enabled: names.includes(m.name) }));
}

/** What the schema cannot see: enough models for the quorum, and models a sweep can replay in-process. */
function checkRunnable(config: XylenConfig, params: Record<string, unknown>, file: string): void {
  const enabled = config.models.filter((m) => m.enabled);
  const where = `${file} (configuration ${describeParams(params)})`;
  checkQuorum(config.ensemble.quorum, enabled.length, where, 'give every model set at least ensemble.quorum models, or sweep a lower ensemble.quorum');
  const remote = enabled.find((m) => m.kind === 'http');
  if (remote) {
    throw inputError('SWEEP_HTTP_MODEL', `model "${remote.name}" is served over HTTP; sweeps run every model in-process, once per data set`, {
      where,
      hint: `point the sweep's config at the model file the server loads (kind: onnx or xgboost, path: …), or leave "${remote.name}" out of the model sets`,
    });
  }
}
