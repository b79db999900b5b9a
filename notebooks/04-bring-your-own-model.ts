/**
 * # Bring your own model: export features, load an ONNX file, replay with it
 *
 * Models trained elsewhere (PyTorch, LightGBM, XGBoost, scikit-learn) vote in Xylen as ONNX files. The loop is:
 * export the exact feature matrix the engine computes (`xylen features export`), train on it in your own stack,
 * export ONNX, tell Xylen which engine feature feeds each input (a model card), check the model on the exported rows,
 * then replay with it. The model here is the PyTorch MLP in ../shared/fixtures/models (10 inputs → 3 classes), trained
 * on stand-in rows: it shows the mechanics, not an edge.
 *
 *     npx tsx notebooks/04-bring-your-own-model.ts [--db xylen.duckdb] [--from 2024-03-01] [--to 2024-05-14] [--out reports/]
 *         [--model path/to/model.onnx]
 *
 * About 8 s. Writes features.parquet and the model (with its card) to notebook-04/ beside the store.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../config/index.ts';
import { loadModel } from '../model-servers/index.ts';
import { exportFeatures, runStoredReplay, type RunMetrics } from '../research/index.ts';
import { Notebook, pct, round } from './lib/index.ts';

const argv = process.argv.slice(2);
const modelFlag = argv.indexOf('--model');
const source = modelFlag >= 0 ? resolve(argv[modelFlag + 1]!) : fileURLToPath(new URL('../../shared/fixtures/models/torch_mlp.onnx', import.meta.url));
if (modelFlag >= 0) argv.splice(modelFlag, 2);

const nb = Notebook.start('Bring your own model: export features, load an ONNX file, replay with it', { from: '2024-03-01', to: '2024-05-14' }, argv);
const store = await nb.store();
const work = join(dirname(resolve(nb.db)), 'notebook-04');
mkdirSync(work, { recursive: true });

nb.section('1. Export the features the engine sees');
nb.say(
  'exportFeatures (the API of `xylen features export`) writes one row per decision: the time, every engine feature, and a ' +
    'label — here the forward return over the next 12 decision bars (1 h). The candles go through the replay\'s own ' +
    'loader and feature code, so a model trained on this file sees in a replay exactly what it saw in training.',
);
const exported = await exportFeatures(store, {
  market: nb.market,
  symbol: nb.symbol,
  from: nb.from,
  to: nb.to,
  decisionInterval: '5m',
  contextInterval: '1h',
  label: { kind: 'forward-return', horizon: 12 },
  out: join(work, 'features.parquet'),
});
nb.table([
  {
    file: exported.path,
    rows: exported.rows,
    columns: exported.columns.length,
    'label up': exported.labelCounts?.up ?? null,
    'label down': exported.labelCounts?.down ?? null,
    'label flat': exported.labelCounts?.neutral ?? null,
    unknown: exported.labelCounts?.unknown ?? null,
  },
]);
nb.say(`Columns: ${exported.columns.join(', ')}.`);

nb.section('2. Train elsewhere, export ONNX');
nb.say(
  'In Python this is pandas.read_parquet, a model fitted on the feature columns against the label, and torch.onnx.export ' +
    '(or onnxmltools / skl2onnx / hummingbird for trees) with one float input [batch, features] and class probabilities out. ' +
    `We take the finished file instead: ${source}.`,
);

nb.section('3. Tell Xylen what the inputs are: the model card');
nb.say(
  'The fixture names its inputs vol_z, ema_9_dist, … — not engine feature names, so Xylen would refuse it, naming the ' +
    'feature. A sidecar card <model>.card.json maps each input, in order, to the engine feature that feeds it, and names the ' +
    'classes in output order. Cards can also live in the ONNX metadata (features, classes), as Xylen\'s own trainers write them.',
);
const ENGINE_FEATURES = ['ret_1', 'ret_12', 'rsi_14', 'volume_z_48', 'ema_dist_9', 'ema_dist_21', 'macd_hist_rel', 'bb_pctb_20', 'bb_width_20', 'atr_rel_14'];
const modelPath = join(work, 'byo_mlp.onnx');
copyFileSync(source, modelPath);
writeFileSync(join(work, 'byo_mlp.card.json'), `${JSON.stringify({ id: 'byo_mlp', version: 1, features: ENGINE_FEATURES, classes: ['short', 'hold', 'long'] }, null, 2)}\n`);
const runtime = await loadModel(modelPath);
nb.table([{ model: runtime.card.id ?? 'byo_mlp', kind: runtime.card.kind ?? 'onnx', inputs: runtime.card.features.join(','), classes: runtime.card.classes.join(',') }]);

nb.section('4. Check it on the exported rows');
nb.say('Read the Parquet file back with DuckDB, feed the card\'s columns to the model in one batch, and compare its long and short calls with the sign of the hour that followed.');
const rows = await store.all(
  `SELECT ${runtime.card.features.map((f) => `"${f}"::FLOAT AS "${f}"`).join(', ')}, label FROM read_parquet($1) ORDER BY time`,
  [exported.path],
);
const width = runtime.card.features.length;
const X = new Float32Array(rows.length * width);
rows.forEach((row, r) => runtime.card.features.forEach((f, c) => (X[r * width + c] = row[f] === null ? Number.NaN : Number(row[f]))));
const output = await runtime.predict(X, rows.length);
const counts = { long: 0, short: 0, hold: 0 };
let directional = 0;
let right = 0;
rows.forEach((row, r) => {
  const action = output.action[r]! > 0 ? 'long' : output.action[r]! < 0 ? 'short' : 'hold';
  counts[action]++;
  // A forward-return label is the return itself: its sign is the move the model should have called.
  const label = row['label'] === null ? Number.NaN : Number(row['label']);
  if (action === 'hold' || !(label !== 0)) return;
  directional++;
  if ((action === 'long') === label > 0) right++;
});
nb.table([{ rows: rows.length, long: counts.long, short: counts.short, hold: counts.hold, 'long/short calls with a known move': directional, 'right %': pct(directional > 0 ? right / directional : null, 1) }]);
await runtime.close();

nb.section('5. Replay with it');
nb.say('In xylen.yaml this is one more entry under models: {name: byo_mlp, kind: onnx, path: notebook-04/byo_mlp.onnx}. The replay batches its predictions over the whole feature matrix.');
const RULES = ['momentum', 'mean_reversion', 'macd_cross', 'rsi'] as const;
const rules = RULES.map((rule) => ({ name: rule, kind: 'rule' as const, rule }));
const byo = { name: 'byo_mlp', kind: 'onnx' as const, path: modelPath };
const base = { ensemble: { threshold: 0.3 }, risk: { stop_loss_pct: 0.01, take_profit_pct: 0.02, max_drawdown_pct: 0, max_daily_trades: 1000 } };
const runs: { ensemble: string; runId: string; metrics: RunMetrics }[] = [];
for (const [ensemble, models, quorum] of [
  ['rules (4)', rules, 2],
  ['rules + byo_mlp', [...rules, byo], 2],
  ['byo_mlp alone', [byo], 1],
] as const) {
  const config = configSchema.parse({ ...base, ensemble: { ...base.ensemble, quorum }, models });
  const result = await runStoredReplay(store, config, { market: nb.market, symbol: nb.symbol, from: nb.from, to: nb.to });
  runs.push({ ensemble, runId: result.runId, metrics: result.metrics });
}
nb.table(
  runs.map((r) => ({
    ensemble: r.ensemble,
    run: r.runId,
    'return %': pct(r.metrics.totalReturn),
    sharpe: round(r.metrics.sharpe),
    'max dd %': pct(r.metrics.maxDrawdown),
    trades: r.metrics.trades,
    'win %': pct(r.metrics.winRate, 1),
  })),
);
nb.say('The run\'s report shows how often byo_mlp\'s votes matched the forward move and the trades it voted on (`npx xylen report RUN`).');

await nb.report(runs[1]!.runId, '04-byo.html');
nb.finish();
