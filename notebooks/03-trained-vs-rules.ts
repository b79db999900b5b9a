/**
 * # A trained model against the rule ensemble, out of sample
 *
 * Xylen trains its own models in TypeScript: histogram gradient-boosted trees and multinomial logistic regression,
 * saved as ONNX with a model card and registered. Here we train a GBDT on the first two thirds of the period with
 * triple-barrier labels, then replay the last third — which it never saw — three ways: the four rule models, the
 * trained model alone, and the rules with the trained model as a fifth voter.
 *
 *     npx tsx notebooks/03-trained-vs-rules.ts [--db xylen.duckdb] [--from 2023-09-01] [--to 2024-05-14] [--out reports/]
 *
 * About 12 s for the default period (most of it training), a few seconds for two weeks. The model is registered
 * as `nb03-gbdt` (`npx xylen models ls`) and saved beside the store in models/.
 */
import { configSchema, type XylenConfigInput } from '../config/index.ts';
import { formatTime } from '../engine/index.ts';
import { defaultModelsDir } from '../model-servers/registry/index.ts';
import { trainModel } from '../model-servers/zoo/index.ts';
import { bootstrapSharpe, runStoredReplay, type RunMetrics } from '../research/index.ts';
import { hourlyReturns, HOURS_PER_YEAR, Notebook, pct, round } from './lib/index.ts';

const nb = Notebook.start('A trained model against the rule ensemble, out of sample', { from: '2023-09-01', to: '2024-05-14' });
const store = await nb.store();
const HOUR = 3_600_000;
const split = nb.from + Math.round(((nb.to - nb.from) * 2) / 3 / HOUR) * HOUR;

nb.section('Train on the first two thirds');
nb.say(
  `Training window ${formatTime(nb.from)} → ${formatTime(split)}. Labels are triple-barrier over 24 decision bars (2 h of 5m ` +
    'bars): long if the price first rises by a typical move, short if it first falls by one, hold if neither happens. The trainer ' +
    'splits the window 70/15/15 in time order (train, early stopping, test) and reports log loss against a baseline that always ' +
    'predicts the class frequencies.',
);
const trained = await trainModel(store, {
  kind: 'gbdt',
  id: 'nb03-gbdt',
  market: nb.market,
  symbol: nb.symbol,
  from: nb.from,
  to: split,
  decisionInterval: '5m',
  contextInterval: '1h',
  label: { kind: 'triple-barrier', horizon: 24 },
  rounds: 120,
  maxDepth: 4,
  modelsDir: defaultModelsDir(nb.db),
  createdAt: new Date().toISOString(),
});
const m = trained.card.training!.metrics as Record<string, number>;
nb.table([
  {
    model: `${trained.record.modelId} v${trained.record.version}`,
    'train rows': trained.card.training!.rows,
    rounds: m['rounds'] ?? null,
    'test log loss': round(m['logLoss'], 4),
    'baseline log loss': round(m['baselineLogLoss'], 4),
    'test accuracy %': pct(m['accuracy'], 1),
  },
]);
nb.say(`Features: ${trained.card.features.join(', ')}.`);

nb.section('Replay the last third, out of sample');
const RULES = ['momentum', 'mean_reversion', 'macd_cross', 'rsi'] as const;
const rules = RULES.map((rule) => ({ name: rule, kind: 'rule' as const, rule }));
const gbdt = { name: 'nb03-gbdt', kind: 'onnx' as const, path: trained.record.path };
const shared: XylenConfigInput = { ensemble: { method: 'weighted_vote', threshold: 0.3 }, risk: { stop_loss_pct: 0.01, take_profit_pct: 0.02, max_drawdown_pct: 0, max_daily_trades: 1000 } };
const variants: { name: string; config: XylenConfigInput }[] = [
  { name: 'rules (4)', config: { ...shared, models: rules } },
  { name: 'trained alone', config: { ...shared, ensemble: { ...shared.ensemble, quorum: 1 }, models: [gbdt] } },
  { name: 'rules + trained', config: { ...shared, models: [...rules, gbdt] } },
];
const runs: { name: string; runId: string; metrics: RunMetrics }[] = [];
for (const v of variants) {
  const result = await runStoredReplay(store, configSchema.parse(v.config), { market: nb.market, symbol: nb.symbol, from: split, to: nb.to });
  runs.push({ name: v.name, runId: result.runId, metrics: result.metrics });
}
const intervals = await Promise.all(
  runs.map(async (r) => bootstrapSharpe(await hourlyReturns(store, r.runId, r.metrics.startEquity!), { seed: 3, perYear: HOURS_PER_YEAR })),
);
nb.table(
  runs.map((r, i) => ({
    ensemble: r.name,
    run: r.runId,
    'return %': pct(r.metrics.totalReturn),
    sharpe: round(r.metrics.sharpe),
    'sharpe 1h 95% lo': round(intervals[i]?.lo),
    'sharpe 1h 95% hi': round(intervals[i]?.hi),
    'max dd %': pct(r.metrics.maxDrawdown),
    trades: r.metrics.trades,
    'win %': pct(r.metrics.winRate, 1),
  })),
);
nb.say(
  `Buy and hold over the out-of-sample window: ${pct(runs[0]!.metrics.buyAndHoldReturn)} %. The trained model's test log loss against its ` +
    'baseline says whether it learned anything at all; the replays say whether that survives fees, stops and the ensemble. ' +
    'Overlapping bootstrap intervals mean the window is too short to tell the ensembles apart.',
);

for (const [i, r] of runs.entries()) await nb.report(r.runId, `03-${['rules', 'trained', 'rules-trained'][i]}.html`);
nb.finish();
