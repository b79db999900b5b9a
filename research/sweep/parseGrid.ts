import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { allKeyPaths, editDistance } from '../../config/index.ts';
import { inputError, Rng } from '../../engine/index.ts';

/** One swept key: its dotted config path, the values it takes, and the grid file line it was written on. */
export interface GridAxis {
  key: string;
  values: unknown[];
  line: number;
}

/** A parsed grid file: the axes in file order (the last varies fastest in the product). */
export interface Grid {
  file: string;
  axes: GridAxis[];
}

/** Keys a sweep may not vary: they pick the data (fixed by the sweep's flags) or touch only live trading. */
const FIXED_PREFIXES = ['symbol', 'market', 'data', 'exchange', 'alerts', 'dry_run', 'testnet', 'intervals.base', 'timing'];

/** At most this many values on one axis (a typo in a range step should not make a billion configs). */
const MAX_AXIS_VALUES = 10_000;

const DISTRIBUTIONS = ['uniform', 'log_uniform', 'int', 'choice'] as const;

/**
 * Parse a sweep grid: a YAML mapping from dotted config keys (paths into xylen.yaml, e.g. `ensemble.threshold`) to
 * the values the key takes: a scalar (one value), a list, a range `{from, to, step}` (both ends inclusive), or random
 * samples `{sample: N, seed, dist: uniform|log_uniform|int|choice, min, max | values, decimals}`. The key `models`
 * takes model sets: lists of model names from the config, which are enabled (the others disabled).
 * Errors name the file, the line and the key.
 */
export function parseGrid(text: string, file: string): Grid {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    throw inputError('GRID_SYNTAX', `not valid YAML: ${first.message.split('\n')[0]}`, { where: `${file}:${counter.linePos(first.pos[0]).line}` });
  }
  const root = doc.contents;
  if (!isMap(root) || root.items.length === 0) {
    throw inputError('GRID_SHAPE', 'a grid is a mapping of config keys to their values, e.g. `ensemble.threshold: [0.5, 0.6]`', {
      where: file,
      hint: 'see examples/grid.yaml',
    });
  }
  const allowed = sweepableKeys();
  const axes = root.items.map((pair): GridAxis => {
    const line = lineOf(counter, pair.key as Node | null);
    const where = `${file}:${line}`;
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    checkKey(key, allowed, where);
    const value = (pair.value as Node | null)?.toJSON() as unknown;
    return { key, values: axisValues(key, value, where), line };
  });
  return { file, axes };
}

/** Leaf keys of the config schema that a sweep may vary, plus `models` (model sets). */
export function sweepableKeys(): string[] {
  const paths = allKeyPaths();
  const leaves = paths.filter((p) => !paths.some((q) => q.startsWith(`${p}.`)));
  return [...leaves.filter((p) => !p.startsWith('models.') && !isFixed(p)), 'models'];
}

function isFixed(key: string): boolean {
  return FIXED_PREFIXES.some((prefix) => key === prefix || key.startsWith(`${prefix}.`));
}

function checkKey(key: string, allowed: string[], where: string): void {
  if (allowed.includes(key)) return;
  if (isFixed(key) && allKeyPaths().includes(key)) {
    throw inputError('GRID_FIXED_KEY', `"${key}" cannot be swept: a sweep replays one data set (--symbol, --market, --from, --to) and never trades live`, {
      where,
      hint: `sweepable keys: ${allowed.join(', ')}`,
    });
  }
  if (key.startsWith('models.')) {
    throw inputError('GRID_UNKNOWN_KEY', `"${key}" cannot be swept; sweep model sets with \`models: [[name, name], [name]]\``, {
      where,
      hint: 'each model set lists names of models in the config; those are enabled and the others disabled',
    });
  }
  const guess = closest(key, allowed);
  throw inputError('GRID_UNKNOWN_KEY', `unknown config key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`, {
    where,
    hint: `grid keys are dotted paths into xylen.yaml; sweepable: ${allowed.join(', ')}`,
  });
}

function axisValues(key: string, value: unknown, where: string): unknown[] {
  if (key === 'models') return modelSets(value, where);
  if (Array.isArray(value)) {
    if (value.length === 0) throw inputError('GRID_EMPTY', `${key}: the list of values is empty`, { where });
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const spec = value as Record<string, unknown>;
    if ('sample' in spec) return samples(key, spec, where);
    if ('from' in spec || 'to' in spec || 'step' in spec) return range(key, spec, where);
    throw inputError('GRID_BAD_VALUE', `${key}: a mapping must be a range {from, to, step} or samples {sample, seed, dist, min, max}`, { where });
  }
  return [value];
}

function modelSets(value: unknown, where: string): string[][] {
  const sets = Array.isArray(value) && value.every((v) => Array.isArray(v)) ? (value as unknown[][]) : Array.isArray(value) ? [value] : undefined;
  if (!sets || sets.length === 0 || sets.some((set) => set.length === 0 || set.some((name) => typeof name !== 'string'))) {
    throw inputError('GRID_BAD_VALUE', 'models: give model sets, each a non-empty list of model names, e.g. [[momentum, rsi], [momentum, macd_cross, rsi]]', {
      where,
      hint: 'the names are those of the config\'s models; a set enables its models and disables the others',
    });
  }
  return sets.map((set) => [...new Set(set as string[])].sort());
}

function finite(spec: Record<string, unknown>, field: string, key: string, where: string): number {
  const v = spec[field];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw inputError('GRID_BAD_VALUE', `${key}.${field}: expected a number, got ${JSON.stringify(v) ?? 'nothing'}`, { where });
}

function onlyFields(spec: Record<string, unknown>, fields: readonly string[], key: string, where: string): void {
  const extra = Object.keys(spec).filter((f) => !fields.includes(f));
  if (extra.length > 0) throw inputError('GRID_BAD_VALUE', `${key}: unknown field ${extra.map((f) => `"${f}"`).join(', ')}; allowed: ${fields.join(', ')}`, { where });
}

/** from, from + step, … up to and including `to`, rounded to the decimals written (0.1 steps give 0.3, not 0.30000000000000004). */
function range(key: string, spec: Record<string, unknown>, where: string): number[] {
  onlyFields(spec, ['from', 'to', 'step'], key, where);
  const from = finite(spec, 'from', key, where);
  const to = finite(spec, 'to', key, where);
  const step = finite(spec, 'step', key, where);
  if (!(step > 0)) throw inputError('GRID_BAD_VALUE', `${key}.step: must be > 0, got ${step}`, { where });
  if (to < from) throw inputError('GRID_BAD_VALUE', `${key}: to (${to}) is below from (${from})`, { where });
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_AXIS_VALUES) throw inputError('GRID_TOO_LARGE', `${key}: the range has ${count} values (at most ${MAX_AXIS_VALUES})`, { where, hint: 'use a larger step' });
  const decimals = Math.max(decimalsOf(from), decimalsOf(step));
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(decimals)));
}

/** N seeded draws: the same file gives the same values on every machine. */
function samples(key: string, spec: Record<string, unknown>, where: string): unknown[] {
  onlyFields(spec, ['sample', 'seed', 'dist', 'min', 'max', 'values', 'decimals'], key, where);
  const count = finite(spec, 'sample', key, where);
  if (!Number.isInteger(count) || count < 1 || count > MAX_AXIS_VALUES) {
    throw inputError('GRID_BAD_VALUE', `${key}.sample: the number of draws must be a whole number from 1 to ${MAX_AXIS_VALUES}, got ${count}`, { where });
  }
  const seed = spec['seed'] === undefined ? 0 : finite(spec, 'seed', key, where);
  if (!Number.isSafeInteger(seed)) throw inputError('GRID_BAD_VALUE', `${key}.seed: must be an integer, got ${seed}`, { where });
  const dist = spec['dist'] ?? (spec['values'] !== undefined ? 'choice' : 'uniform');
  if (!(DISTRIBUTIONS as readonly unknown[]).includes(dist)) {
    throw inputError('GRID_BAD_VALUE', `${key}.dist: must be one of ${DISTRIBUTIONS.join(', ')}, got ${JSON.stringify(dist)}`, { where });
  }
  const rng = new Rng(seed);
  if (dist === 'choice') {
    const values = spec['values'];
    if (!Array.isArray(values) || values.length === 0) throw inputError('GRID_BAD_VALUE', `${key}.values: dist choice needs a non-empty list of values`, { where });
    return Array.from({ length: count }, () => values[rng.int(0, values.length - 1)]);
  }
  const min = finite(spec, 'min', key, where);
  const max = finite(spec, 'max', key, where);
  if (max < min) throw inputError('GRID_BAD_VALUE', `${key}: max (${max}) is below min (${min})`, { where });
  if (dist === 'int') {
    if (!Number.isInteger(min) || !Number.isInteger(max)) throw inputError('GRID_BAD_VALUE', `${key}: dist int needs whole min and max`, { where });
    return Array.from({ length: count }, () => rng.int(min, max));
  }
  if (dist === 'log_uniform' && !(min > 0)) throw inputError('GRID_BAD_VALUE', `${key}.min: dist log_uniform needs min > 0, got ${min}`, { where });
  const decimals = spec['decimals'] === undefined ? undefined : finite(spec, 'decimals', key, where);
  if (decimals !== undefined && !(Number.isInteger(decimals) && decimals >= 0 && decimals <= 15)) {
    throw inputError('GRID_BAD_VALUE', `${key}.decimals: must be a whole number from 0 to 15, got ${decimals}`, { where });
  }
  const draw = dist === 'uniform' ? () => min + (max - min) * rng.next() : () => Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * rng.next());
  return Array.from({ length: count }, () => {
    const v = draw();
    return decimals === undefined ? v : Number(v.toFixed(decimals));
  });
}

function decimalsOf(x: number): number {
  const text = String(x);
  if (text.includes('e-')) return Number(text.split('e-')[1]) + (text.split('e-')[0]!.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

function lineOf(counter: LineCounter, node: Node | null): number {
  const range = node?.range;
  return range ? counter.linePos(range[0]).line : 0;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const candidate of candidates) {
    // Compare the last segment too, so "stop_los_pct" finds "risk.stop_loss_pct" even without its prefix.
    const d = Math.min(editDistance(word, candidate), editDistance(word, candidate.split('.').at(-1)!) + (word.includes('.') ? 99 : 0));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
