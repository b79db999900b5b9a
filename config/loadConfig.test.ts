import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XylenError } from '../engine/index.ts';
import { allKeyPaths, configSchema, loadConfig, parseConfig } from './index.ts';
import { REPO_ROOT } from '../test/paths.ts';

function errorOf(fn: () => unknown): XylenError {
  try {
    fn();
  } catch (error) {
    if (error instanceof XylenError) return error;
    throw error;
  }
  throw new Error('expected a XylenError');
}

describe('parseConfig', () => {
  it('fills every default from an empty file', () => {
    const config = parseConfig('', 'empty.yaml');
    expect(config).toEqual(configSchema.parse({}));
    expect(config.ensemble.method).toBe('weighted_vote');
    expect(config.models.map((m) => m.name)).toEqual(['momentum', 'mean_reversion', 'macd_cross', 'rsi']);
  });

  it('names the line, the key path and a suggestion for a misspelled key', () => {
    const error = errorOf(() => parseConfig('symbol: BTCUSDT\nrisk:\n  leverage: 3\n  stop_los_pct: 0.01\n', 'my.yaml'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('my.yaml:4');
    expect(error.message).toContain('unknown key "risk.stop_los_pct"');
    expect(error.message).toContain('did you mean "risk.stop_loss_pct"');
  });

  it('lists the allowed values for an enum and the range for a number', () => {
    const error = errorOf(() => parseConfig('ensemble:\n  method: weighted\n  threshold: 1.5\n', 'x.yaml'));
    expect(error.message).toMatch(/x\.yaml:2: ensemble\.method: must be one of "weighted_vote", "bayesian_weighted", "average_confidence", "majority"/);
    expect(error.message).toMatch(/x\.yaml:3: ensemble\.threshold: must be ≤ 1/);
  });

  it('rejects wrong types inside the models list with the element path', () => {
    const error = errorOf(() => parseConfig('models:\n  - name: a\n    kind: rule\n    weight: heavy\n', 'x.yaml'));
    expect(error.message).toContain('models.0.weight: expected number');
  });

  it('interpolates ${VAR} from the environment and treats ${VAR:-} as unset', () => {
    const config = parseConfig('exchange:\n  api_key: ${KEY}\n  api_secret: ${SECRET:-}\n', 'x.yaml', { KEY: 'k-123' });
    expect(config.exchange.api_key).toBe('k-123');
    expect(config.exchange.api_secret).toBeUndefined();
  });

  it('fails loudly when a referenced variable is missing', () => {
    const error = errorOf(() => parseConfig('alerts:\n  telegram_token: ${TG_TOKEN}\n', 'x.yaml', {}));
    expect(error.code).toBe('CONFIG_ENV_MISSING');
    expect(error.describe()).toContain('x.yaml:2');
    expect(error.describe()).toContain('TG_TOKEN');
  });

  it('reports YAML syntax errors with a line', () => {
    const error = errorOf(() => parseConfig('risk:\n  leverage: [3\n', 'bad.yaml'));
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.where).toMatch(/^bad\.yaml:\d+$/);
  });

  it('names a missing config file, and a directory given as one, as input errors', async () => {
    const missing = await loadConfig(`${REPO_ROOT}no-such.yaml`, { required: true }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(XylenError);
    expect((missing as XylenError).code).toBe('CONFIG_MISSING');
    const folder = await loadConfig(`${REPO_ROOT}config`, { required: true }).catch((e: unknown) => e);
    expect(folder).toBeInstanceOf(XylenError);
    expect([(folder as XylenError).code, (folder as XylenError).exitCode, (folder as XylenError).where]).toEqual(['CONFIG_UNREADABLE', 2, `${REPO_ROOT}config`]);
  });
});

describe('xylen.example.yaml', () => {
  it('is valid and equal to the built-in defaults (with no secrets set)', async () => {
    const config = await loadConfig(`${REPO_ROOT}xylen.example.yaml`, { required: true, env: {} });
    const defaults = configSchema.parse({});
    expect(config).toEqual({ ...defaults, data: { db: './xylen.duckdb' } });
  });

  it('documents every key of the schema', () => {
    const text = readFileSync(`${REPO_ROOT}xylen.example.yaml`, 'utf8');
    const missing = allKeyPaths()
      .map((path) => path.split('.').at(-1)!)
      .filter((key) => !new RegExp(`^\\s*(#\\s*)?(- )?${key}:`, 'm').test(text));
    expect(missing).toEqual([]);
  });
});
