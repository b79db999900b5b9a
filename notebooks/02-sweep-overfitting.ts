/**
 * # How much of the best result is luck? A small sweep with DSR and PBO
 *
 * A sweep replays every configuration of a grid over the same data and keeps the best. The more configurations tried,
 * the better the best one looks by luck alone. Two statistics say how much: the Deflated Sharpe Ratio (DSR) of the
 * best configuration, which deflates its Sharpe ratio for the number of trials, and the Probability of Backtest
 * Overfitting (PBO), which asks how often the in-sample best ranks in the bottom half out of sample when the period is
 * cut into blocks and recombined every way (CSCV).
 *
 *     npx tsx notebooks/02-sweep-overfitting.ts [--db xylen.duckdb] [--from 2024-01-01] [--to 2024-05-14] [--out reports/]
 *
 * 36 configurations; about 12 s for the default period on two cores, a few seconds for two weeks. The sweep is
 * stored (`npx xylen sweep ls`) and resumes if rerun.
 */
import { configSchema } from '../config/index.ts';
import { bootstrapSharpe, parseGrid, runSweep, summarizeSweep, sweepResults, periodsPerYear } from '../research/index.ts';
import { Notebook, pct, round } from './lib/index.ts';

const nb = Notebook.start('How much of the best result is luck? A small sweep with DSR and PBO', { from: '2024-01-01', to: '2024-05-14' });
await nb.store(); // checks that the period is stored

nb.section('The grid');
nb.say(
  'Three keys: the ensemble method (4), its confidence threshold (3) and the stop-loss distance (3) — 36 configurations. ' +
    'A grid is what `xylen sweep --grid grid.yaml` reads; here it is a string. Each configuration is replayed over the same ' +
    'candles, features and model votes (computed once), and its equity is stored as hourly returns for DSR and PBO.',
);
const GRID = `
ensemble.method: [weighted_vote, bayesian_weighted, average_confidence, majority]
ensemble.threshold: [0.2, 0.3, 0.4]
risk.stop_loss_pct: [0.006, 0.01, 0.02]
`;
const grid = parseGrid(GRID, 'notebook-02.yaml');
const base = configSchema.parse({ risk: { take_profit_pct: 0.02, max_drawdown_pct: 0, max_daily_trades: 1000 } });
// runSweep opens the store itself in short bursts (so readers can look in between): let go of ours meanwhile.
nb.releaseStore();

const outcome = await runSweep({ grid, base, dbPath: nb.db, market: nb.market, symbol: nb.symbol, from: nb.from, to: nb.to, name: 'notebook-02' });
nb.say(`Sweep ${outcome.sweepId}: ${outcome.configs} configurations, ${outcome.stored} replayed now, ${outcome.skipped} already stored; ${outcome.status}.`);

nb.section('The best configurations, with their deflated Sharpe ratios');
const reader = await nb.store();
const results = await sweepResults(reader, outcome.sweepId, { returns: true });
const summary = summarizeSweep(results, { by: 'sharpe', n: 10, periodMs: outcome.periodMs });
nb.table(
  summary.top.map((r) => ({
    rank: r.rank,
    method: String(r.params['ensemble.method']),
    threshold: Number(r.params['ensemble.threshold']),
    'stop %': pct(Number(r.params['risk.stop_loss_pct']), 1),
    sharpe: round(r.metrics.sharpe),
    'return %': pct(r.metrics.totalReturn),
    'max dd %': pct(r.metrics.maxDrawdown),
    trades: r.metrics.trades,
    PSR: round(r.psr, 3),
    DSR: round(r.dsr, 3),
  })),
);
nb.say(
  `PSR is the probability that a configuration's true Sharpe ratio is above 0; DSR that it is above ${round(summary.expectedMaxSharpe)} ` +
    `(annualised), what the best of ${summary.trials} configurations with no skill at all would show here. A DSR below 0.95 is not significant.`,
);

nb.section('PBO: does the in-sample best stay good out of sample?');
if (summary.pbo) {
  nb.table([
    {
      PBO: round(summary.pbo.pbo, 3),
      'P(loss out of sample)': round(summary.pbo.lossProbability, 3),
      'degradation slope': round(summary.pbo.slope, 3),
      blocks: summary.pbo.partitions,
      splits: summary.pbo.splits,
    },
  ]);
  nb.say(
    `In ${round(summary.pbo.pbo * 100, 1)} % of the ${summary.pbo.splits} ways to split the ${summary.pbo.partitions} blocks in half, the configuration ` +
      'with the best in-sample Sharpe ranked in the bottom half out of sample. The slope regresses out-of-sample on in-sample Sharpe: ' +
      'near 1 the in-sample ranking carries over, near 0 or below it does not.',
  );
} else {
  nb.say(`PBO could not be computed: ${summary.pboUnavailable}`);
}
for (const warning of summary.warnings) nb.say(`warning: ${warning}`);

nb.section("The best configuration's Sharpe, with a bootstrap interval");
const best = results.find((r) => r.hash === summary.top[0]!.hash)!;
const interval = bootstrapSharpe(best.returns!, { seed: 1, perYear: periodsPerYear(outcome.periodMs) });
nb.table([{ config: best.index, 'sharpe (1h)': round(interval?.sharpe), '95% lo': round(interval?.lo), '95% hi': round(interval?.hi), resamples: interval?.resamples ?? null }]);
nb.say('The interval is for this configuration alone, as if it had been the only one tried; DSR above is the honest figure for a winner picked from a sweep.');

await nb.report(outcome.sweepId, '02-sweep.html');
nb.finish();
