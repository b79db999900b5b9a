import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSchema, maskSecrets } from '../../config/index.ts';
import { pinModelVersions, promotedConfig, PROMOTED_KEYS, settingsFromRun, settingsOf } from './promotedSettings.ts';

const secret = fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s !== '***');
const method = fc.constantFrom('weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority');

describe('promotedConfig', () => {
  it('takes models, ensemble, sizing and risk from the run and everything else from the live config; a masked secret never crosses', () => {
    fc.assert(
      fc.property(secret, secret, secret, method, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.integer({ min: 1, max: 20 }), (key, apiSecret, tgToken, m, threshold, dryRun, leverage) => {
        const live = configSchema.parse({ dry_run: dryRun, exchange: { api_key: key, api_secret: apiSecret }, alerts: { telegram_token: tgToken }, live: { name: 'prod', control_port: 9000 } });
        const run = configSchema.parse({ dry_run: !dryRun, exchange: { api_key: 'research-key-123', api_secret: 'research-secret' }, ensemble: { method: m, threshold }, risk: { leverage, max_leverage: 20 } });
        const stored = maskSecrets(run); // what a manifest holds
        const promoted = promotedConfig(live, settingsFromRun(stored, [], 'run-20250101-000000-abcd'), 'test');
        for (const key of PROMOTED_KEYS) expect(promoted[key]).toEqual(run[key]);
        const { models: _m, ensemble: _e, sizing: _s, risk: _r, ...own } = promoted;
        const { models: _lm, ensemble: _le, sizing: _ls, risk: _lr, ...liveOwn } = live;
        expect(own).toEqual(liveOwn);
        expect(JSON.stringify(promoted)).not.toContain('***');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a masked value, a key it does not set, and a schema violation, naming them', () => {
    const live = configSchema.parse({});
    const settings = settingsOf(live);
    expect(() => promotedConfig(live, { ...settings, models: [{ name: 'x', kind: 'http', endpoint: '***' }] }, 'here')).toThrow(/masked secrets.*models\.0\.endpoint/);
    expect(() => promotedConfig(live, { ...settings, exchange: { api_key: 'k' } }, 'here')).toThrow(/not exchange/);
    expect(() => promotedConfig(live, { ...settings, ensemble: { ...settings.ensemble, threshold: 2 } }, 'here')).toThrow(/ensemble\.threshold/);
  });

  it('pins a registered model to the version the run resolved', () => {
    const models = [{ name: 'trend', kind: 'onnx', model: 'trend-gbdt' }, { name: 'rsi', kind: 'rule', rule: 'rsi' }, { name: 'pinned', kind: 'onnx', model: 'other@2' }];
    expect(pinModelVersions(models, [{ name: 'trend', kind: 'onnx', version: 'trend-gbdt@3' }, { name: 'rsi', kind: 'rule', version: 'rule:rsi' }, { name: 'pinned', kind: 'onnx', version: 'other@2' }])).toEqual([
      { name: 'trend', kind: 'onnx', model: 'trend-gbdt@3' },
      { name: 'rsi', kind: 'rule', rule: 'rsi' },
      { name: 'pinned', kind: 'onnx', model: 'other@2' },
    ]);
  });
});
