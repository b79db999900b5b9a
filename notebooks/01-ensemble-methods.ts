/**
 * # Which ensemble method? The same votes, combined four ways
 *
 * Four rule models (momentum, mean reversion, MACD cross, RSI) vote at every 5-minute decision. Only the way their
 * votes become one decision changes between the runs: `weighted_vote`, `bayesian_weighted`, `average_confidence` and
 * `majority` (each with weights that adapt to a model's recent record). We replay each over the same real BTCUSDT
 * candles, compare the metrics, and ask whether the differences in Sharpe ratio are more than noise, with a paired
 * bootstrap over the hours the four runs share.
 *
 *     npx tsx notebooks/01-ensemble-methods.ts [--db xylen.duckdb] [--from 2024-01-01] [--to 2024-05-14] [--out reports/]
 *
 * Needs real candles in the store (`npx xylen data import ../shared/data/binance-usdm/BTCUSDT`). Takes about 15 s for
 * the default 4½ months, a few seconds for two weeks. Every replay is stored: `npx xylen runs ls` lists them.
 */
import { configSchema } from '../config/index.ts';
import { bootstrapSharpe, runStoredReplay, type RunMetrics } from '../research/index.ts';
import { hourlyReturns, HOURS_PER_YEAR, Notebook, pct, round, sharpeDifference } from './lib/index.ts';

const nb = Notebook.start('Which ensemble method? The same votes, combined four ways', { from: '2024-01-01', to: '2024-05-14' });
const store = await nb.store();

nb.section('The setup');
nb.say(
  'One config for all four runs, with only ensemble.method changed. The threshold is lowered to 0.3 (the default 0.5 ' +
    'rarely trades with four rule models) and the drawdown shutdown is off, so that each method trades through the ' +
    'whole period and the comparison is about the method, not about when a circuit breaker fired.',
);
const METHODS = ['weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority'] as const;
const configFor = (method: (typeof METHODS)[number]) =>
  configSchema.parse({
    ensemble: { method, threshold: 0.3 },
    risk: { stop_loss_pct: 0.01, take_profit_pct: 0.02, max_drawdown_pct: 0, max_daily_trades: 1000 },
  });

nb.section('Replay each method');
const runs: { method: string; runId: string; metrics: RunMetrics }[] = [];
for (const method of METHODS) {
  const result = await runStoredReplay(store, configFor(method), { market: nb.market, symbol: nb.symbol, from: nb.from, to: nb.to });
  runs.push({ method, runId: result.runId, metrics: result.metrics });
}
nb.table(
  runs.map(({ method, runId, metrics: m }) => ({
    method,
    run: runId,
    'return %': pct(m.totalReturn),
    sharpe: round(m.sharpe),
    sortino: round(m.sortino),
    'max dd %': pct(m.maxDrawdown),
    trades: m.trades,
    'win %': pct(m.winRate, 1),
    'profit factor': round(m.profitFactor),
    'fees USDT': round(m.fees),
  })),
);
nb.say(`Buy and hold over the same period: ${pct(runs[0]!.metrics.buyAndHoldReturn)} %. Sharpe is annualised from 5-minute returns (365-day years).`);

nb.section('Is the best method better, or luckier?');
nb.say(
  'Each run\'s equity sampled at the end of every hour gives four aligned series of hourly returns. A stationary ' +
    'bootstrap (blocks of about √T hours, 2,000 resamples, seed 1) gives each Sharpe ratio a 95 % interval; a paired ' +
    'bootstrap (the same blocks of hours drawn for both runs) gives one for the difference to weighted_vote, the default.',
);
const series = await Promise.all(runs.map((r) => hourlyReturns(store, r.runId, r.metrics.startEquity!)));
const baseline = series[0]!;
nb.table(
  runs.map((r, i) => {
    const own = bootstrapSharpe(series[i]!, { seed: 1, perYear: HOURS_PER_YEAR });
    const diff = i === 0 ? null : sharpeDifference(series[i]!, baseline, { seed: 1, perYear: HOURS_PER_YEAR });
    return {
      method: r.method,
      'sharpe (1h)': round(own?.sharpe),
      '95% lo': round(own?.lo),
      '95% hi': round(own?.hi),
      'Δ vs weighted_vote': round(diff?.difference),
      'Δ 95% lo': round(diff?.lo),
      'Δ 95% hi': round(diff?.hi),
      'P(better)': round(diff?.aBetter, 3),
    };
  }),
);
const clear = runs.slice(1).flatMap((r, k) => {
  const diff = sharpeDifference(series[k + 1]!, baseline, { seed: 1, perYear: HOURS_PER_YEAR });
  return diff && (diff.lo > 0 || diff.hi < 0) ? [`${r.method} (${diff.difference > 0 ? 'better' : 'worse'})`] : [];
});
nb.say(
  clear.length === 0
    ? 'Conclusion: every interval of the difference contains 0 — over this period no method is distinguishable from weighted_vote.'
    : `Conclusion: the interval of the difference excludes 0 for ${clear.join(', ')}; the others are not distinguishable from weighted_vote.`,
);

for (const r of runs) await nb.report(r.runId, `01-${r.method}.html`);
nb.finish();
