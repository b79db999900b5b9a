import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../../config/index.ts';
import { importPaths, Store } from '../../../../data/index.ts';
import { XylenError } from '../../../../engine/index.ts';
import { loadSweepReport, parseGrid, runSweep, sweepResults, type StoredSweepResult } from '../../../../research/index.ts';
import { SHARED_DATA } from '../../../../test/paths.ts';
import { paramText } from '../format.ts';
import { SWEEP_TABLE_METRICS } from '../metricsCatalog.ts';
import { checkHeatmapRequest, sweepAnalysis } from './sweepAnalysis.ts';
import { sweepHead, sweepList } from './sweepPages.ts';

// A real sweep of 12 configurations (two methods × three thresholds × two model sets) over a week of real BTCUSDT 5m.
const GRID = 'ensemble.method: [weighted_vote, majority]\nensemble.threshold: [0.2, 0.3, 0.4]\nmodels: [[momentum, rsi], [momentum, mean_reversion, macd_cross, rsi]]';
const dir = mkdtempSync(join(tmpdir(), 'xylen-studio-sweep-'));
const dbPath = join(dir, 'store.duckdb');
let sweepId: string;
let results: StoredSweepResult[];
let store: Store;

beforeAll(async () => {
  const writable = await Store.open(dbPath);
  try {
    const data = join(SHARED_DATA, 'binance-usdm', 'BTCUSDT');
    await importPaths(writable, [join(data, 'BTCUSDT-5m-2025-03-06_2025-04-13.csv'), join(data, 'BTCUSDT-funding-2019-09-10_2026-05-17.csv')], {});
  } finally {
    writable.close();
  }
  const base = configSchema.parse({ ensemble: { quorum: 1 }, risk: { max_daily_trades: 1000, max_consecutive_losses: 1000 } });
  sweepId = (await runSweep({ grid: parseGrid(GRID, 'grid.yaml'), base, dbPath, market: 'usdm', symbol: 'BTCUSDT', from: Date.UTC(2025, 2, 10), to: Date.UTC(2025, 2, 17), workers: 0 })).sweepId;
  store = await Store.open(dbPath, { readOnly: true });
  results = await sweepResults(store, sweepId);
});
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The value a sort key reads from a result: a number, or the grid value's JSON text when it is no number. */
function keyOf(r: StoredSweepResult, sort: string): number | string | null {
  if (sort === 'index') return r.index;
  if (sort.startsWith('param:')) {
    const v = r.params[sort.slice(6)];
    return typeof v === 'number' ? v : JSON.stringify(v);
  }
  const v = r.metrics[sort as keyof typeof r.metrics];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

describe('sweep results paged in SQL', () => {
  it('lists the sweep with its best result', async () => {
    const list = await sweepList(store);
    expect(list.sweeps).toHaveLength(1);
    const best = results.reduce((a, b) => (b.metrics.sharpe! > a.metrics.sharpe! ? b : a));
    expect(list.sweeps[0]).toMatchObject({ sweepId, name: 'grid', status: 'complete', configs: 12, finished: 12, journaled: 0, best: { sharpe: best.metrics.sharpe } });
    expect(list.sweeps[0]!.axes).toEqual([{ key: 'ensemble.method', values: 2 }, { key: 'ensemble.threshold', values: 3 }, { key: 'models', values: 2 }]);
    expect(list.walkforwards).toEqual([]);
  });

  it('visits every result exactly once, in the order of any sort key, for any page size', async () => {
    const sorts = ['index', ...SWEEP_TABLE_METRICS, 'param:ensemble.method', 'param:ensemble.threshold', 'param:models'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sorts), fc.boolean(), fc.integer({ min: 10, max: 13 }), async (sort, descending, size) => {
        const seen: StoredSweepResult[] = [];
        let pages = 1;
        for (let page = 1; page <= pages; page++) {
          const head = await sweepHead(store, sweepId, { sort, descending, page, size });
          expect(head.table.total).toBe(12);
          pages = head.table.pages;
          for (const row of head.table.rows) seen.push(results.find((r) => r.hash === row.hash)!);
        }
        expect(seen.map((r) => r.hash).sort()).toEqual(results.map((r) => r.hash).sort());
        // Non-null keys in order (numbers as numbers, the rest as their JSON text), nulls last, ties by grid index.
        const keys = seen.map((r) => keyOf(r, sort));
        const firstNull = keys.indexOf(null);
        if (firstNull >= 0) expect(keys.slice(firstNull).every((k) => k === null)).toBe(true);
        for (let i = 1; i < (firstNull < 0 ? keys.length : firstNull); i++) {
          const [a, b] = [keys[i - 1]!, keys[i]!];
          if (a === b) expect(seen[i - 1]!.index).toBeLessThan(seen[i]!.index);
          else expect(descending ? a > b : a < b).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('shows the metrics and grid values of each row as stored', async () => {
    const head = await sweepHead(store, 'grid', { sort: 'index', descending: false, size: 10, page: 2 });
    expect(head.sweep.sweepId).toBe(sweepId);
    expect(head.table).toMatchObject({ page: 2, pages: 2, size: 10 });
    for (const row of head.table.rows) {
      const stored = results.find((r) => r.hash === row.hash)!;
      expect(row.params).toEqual(stored.params);
      for (const key of SWEEP_TABLE_METRICS) expect(row.metrics[key]).toBe(stored.metrics[key] ?? null);
    }
  });

  it('refuses an unknown sort key and an unknown sweep, naming them', async () => {
    const codeOf = (p: Promise<unknown>) => p.then(() => 'none', (e: unknown) => (e as XylenError).code);
    expect(await codeOf(sweepHead(store, sweepId, { sort: 'param:risk.leverage' }))).toBe('BAD_SORT');
    expect(await codeOf(sweepHead(store, sweepId, { sort: 'metrics); DROP TABLE sweeps; --' }))).toBe('BAD_SORT');
    expect(await codeOf(sweepHead(store, 'sw-000000000000'))).toBe('SWEEP_NOT_FOUND');
  });
});

describe('sweep analysis (research/report’s loadSweepReport, reduced for the page)', () => {
  it('shows the report’s DSR and PBO; its CSCV bins hold every split, and PBO is the share of logits at or below 0', async () => {
    const sweep = { sweepId, finished: 12, updatedAt: 0 };
    const analysis = await sweepAnalysis(store, sweep);
    const report = await loadSweepReport(store, sweepId, { top: 10 });
    expect(analysis.summary.top.map((t) => [t.hash, t.dsr, t.psr])).toEqual(report.summary.top.map((t) => [t.hash, t.dsr, t.psr]));
    const o = analysis.overfitting!;
    expect(o.pbo).toBe(report.summary.pbo!.pbo);
    expect(o.splits).toBe(12_870);
    expect(o.scatter.kind).toBe('bins');
    if (o.scatter.kind === 'bins') expect(o.scatter.bins.reduce((n, b) => n + b.count, 0)).toBe(o.splits);
    expect(o.logits.reduce((n, b) => n + b.count, 0)).toBe(o.splits);
    const atOrBelowZero = o.logits.filter((b) => b.x2 <= 1e-12).reduce((n, b) => n + b.count, 0);
    expect(atOrBelowZero / o.splits).toBeCloseTo(o.pbo, 12);
    for (const b of o.logits) expect(b.x1 < 0 && b.x2 > 1e-12).toBe(false); // no bin straddles 0
    const selected = [...report.overfitting!.selected];
    const most = Math.max(...[...new Set(selected)].map((c) => selected.filter((s) => s === c).length));
    expect(o.chosen[0]!.count).toBe(most);
  });

  it('maps the mean of a metric over the results at each pair of grid values, averaged over the rest', async () => {
    const sweep = { sweepId, finished: 12, updatedAt: 0 };
    for (const [x, y, metric] of [
      ['ensemble.threshold', 'ensemble.method', 'totalReturn'],
      ['models', 'ensemble.threshold', 'sharpe'],
      ['ensemble.method', '', 'trades'],
    ] as const) {
      const { heatmap } = await sweepAnalysis(store, sweep, { x, y, metric });
      expect(heatmap!.x.key).toBe(x);
      expect(heatmap!.y?.key ?? '').toBe(y);
      const groups = new Map<string, number[]>();
      for (const r of results) {
        const id = `${paramText(r.params[x])}|${y ? paramText(r.params[y]) : null}`;
        groups.set(id, [...(groups.get(id) ?? []), r.metrics[metric] as number]);
      }
      expect(heatmap!.cells).toHaveLength(groups.size);
      for (const cell of heatmap!.cells) {
        const values = groups.get(`${cell.x}|${cell.y}`)!;
        expect(cell.n).toBe(values.length);
        expect(cell.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
        expect([cell.min, cell.max]).toEqual([Math.min(...values), Math.max(...values)]);
      }
    }
    const axes = [{ key: 'ensemble.method' }, { key: 'models' }];
    const codeOf = (work: () => void) => {
      try {
        work();
        return 'none';
      } catch (e) {
        return (e as XylenError).code;
      }
    };
    expect(codeOf(() => checkHeatmapRequest(axes, { x: 'risk.leverage' }))).toBe('BAD_SWEEP_PARAM');
    expect(codeOf(() => checkHeatmapRequest(axes, { x: 'models', y: 'models' }))).toBe('BAD_SWEEP_PARAM');
    expect(codeOf(() => checkHeatmapRequest(axes, { metric: 'luck' }))).toBe('BAD_METRIC');
    expect(codeOf(() => checkHeatmapRequest(axes, { x: 'models', y: '', metric: 'sharpe' }))).toBe('none');
  });
});
