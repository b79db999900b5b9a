import { existsSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { inputError } from '../engine/index.ts';
import { configSchema, type XylenConfig } from './schema.ts';
import { editDistance } from './editDistance.ts';
import { readInputFile } from './readInputFile.ts';
import { allowedKeys } from './schemaKeys.ts';

export const DEFAULT_CONFIG_PATH = './xylen.yaml';

export interface LoadConfigOptions {
  /** Fail when the file does not exist (true when the user named it with --config). */
  required?: boolean;
  /** Where `${VAR}` values come from; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * Read, interpolate and validate a config file. Errors name the file, the line, the key path and
 * what is allowed. With no file (and `required` false) the defaults are returned.
 */
export async function loadConfig(path: string = DEFAULT_CONFIG_PATH, options: LoadConfigOptions = {}): Promise<XylenConfig> {
  if (!existsSync(path)) {
    if (options.required) {
      throw inputError('CONFIG_MISSING', `config file not found: ${path}`, { hint: 'copy xylen.example.yaml to xylen.yaml, or drop --config' });
    }
    return configSchema.parse({});
  }
  return parseConfig(readInputFile(path, 'CONFIG', 'give a YAML file (xylen.example.yaml shows every key)'), path, options.env ?? process.env);
}

export function parseConfig(text: string, file: string, env: Record<string, string | undefined> = process.env): XylenConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = lineCounter.linePos(first.pos[0]).line;
    throw inputError('CONFIG_SYNTAX', `not valid YAML: ${first.message.split('\n')[0]}`, { where: `${file}:${line}` });
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw inputError('CONFIG_SHAPE', 'the config must be a mapping of keys to values', { where: file });
  }
  const interpolated = interpolate(raw, [], file, env, (path) => lineOf(doc, lineCounter, path));
  const result = configSchema.safeParse(interpolated);
  if (result.success) return result.data;
  const issueLine = (issue: z.core.$ZodIssue): number =>
    lineOf(doc, lineCounter, issue.code === 'unrecognized_keys' ? [...issue.path.map(String), issue.keys[0]!] : issue.path.map(String)) ?? 0;
  const messages = [...result.error.issues].sort((a, b) => issueLine(a) - issueLine(b)).map((issue) => {
    const path = issue.path.map(String);
    const line = issueLine(issue);
    return `${file}${line ? `:${line}` : ''}: ${describeIssue(issue, path)}`;
  });
  throw inputError('CONFIG_INVALID', `invalid config (${messages.length} problem${messages.length > 1 ? 's' : ''}):\n  ${messages.join('\n  ')}`, {
    hint: 'every key is documented in xylen.example.yaml; check with `xylen config check`',
  });
}

function describeIssue(issue: z.core.$ZodIssue, path: string[]): string {
  const key = path.length > 0 ? path.join('.') : '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path);
      return issue.keys
        .map((k) => {
          const guess = closest(k, allowed);
          const full = [...path, k].join('.');
          return `unknown key "${full}"${guess ? ` (did you mean "${[...path, guess].join('.')}"?)` : ''}; allowed here: ${allowed.join(', ')}`;
        })
        .join('; ');
    }
    case 'invalid_value':
      return `${key}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `${key}: expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
    case 'too_small':
      return `${key}: must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}${issue.origin === 'string' || issue.origin === 'array' ? ' in length' : ''}`;
    case 'too_big':
      return `${key}: must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
    default:
      return `${key}: ${issue.message}`;
  }
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replace `${VAR}` / `${VAR:-default}` inside string values; a missing variable is an error. */
function interpolate(
  value: unknown,
  path: string[],
  file: string,
  env: Record<string, string | undefined>,
  line: (path: string[]) => number | undefined,
): unknown {
  if (typeof value === 'string') {
    // A value that is only an env reference resolving to nothing (`${KEY:-}`) counts as not set.
    const whole = /^\$\{[^}]*\}$/.test(value);
    const replaced = value.replace(ENV_REF, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      const at = line(path);
      throw inputError('CONFIG_ENV_MISSING', `${path.join('.')}: environment variable ${name} is not set`, {
        where: `${file}${at ? `:${at}` : ''}`,
        hint: `export ${name}=… before running, or write \${${name}:-default}`,
      });
    });
    return whole && replaced === '' ? undefined : replaced;
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, [...path, String(i)], file, env, line));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...path, k], file, env, line)]));
  }
  return value;
}

function lineOf(doc: Document, counter: LineCounter, path: string[]): number | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === part);
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(part)];
      keyNode = node;
    } else break;
  }
  const range = (keyNode as { range?: [number, number, number] } | undefined)?.range;
  return range ? counter.linePos(range[0]).line : undefined;
}
