// Every notebook reruns, end to end, against a temp store holding two weeks of real BTCUSDT data, and prints what
// it says it prints: the key lines are checked against the store the notebook wrote to. Two weeks keep all five
// notebook processes under a minute on two cores; their own start-up (tsx, DuckDB, onnxruntime) is much of it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths, Store } from '../data/index.ts';
import { getRun, summarizeSweep, sweepResults, getSweep } from '../research/index.ts';
import { withReadOnlyStore } from '../research/test/withReadOnlyStore.ts';
import { REPO_ROOT, SHARED_DATA } from '../test/paths.ts';

const FILES = ['BTCUSDT-5m-2025-03-06_2025-04-13.csv', 'BTCUSDT-1h-2019-09-08_2026-05-17.csv', 'BTCUSDT-funding-2019-09-10_2026-05-17.csv'].map((f) =>
  join(SHARED_DATA, 'binance-usdm', 'BTCUSDT', f),
);
const PERIOD = ['--from', '2025-03-09', '--to', '2025-03-23'];
const dir = mkdtempSync(join(tmpdir(), 'xylen-notebooks-'));
const db = join(dir, 'store.duckdb');
const reports = join(dir, 'reports');

/** `npx tsx notebooks/<file>` as a user runs it (node + the tsx loader, without npx's own start-up). */
async function notebook(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'notebooks', file), '--db', db, ...args], {
      cwd: REPO_ROOT,
      timeout: 60_000,
      maxBuffer: 4 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const readOnly = <T>(work: (store: Store) => Promise<T>): Promise<T> => withReadOnlyStore(db, work);

/** Table rows of the printed output whose first cell matches `first`, split on runs of two or more spaces. */
function rows(stdout: string, first: RegExp): string[][] {
  return stdout
    .split('\n')
    .filter((line) => first.test(line.trim().split(/\s{2,}/)[0]!))
    .map((line) => line.trim().split(/\s{2,}/));
}

/** A printed table cell shows `value` rounded to `digits` (tables drop trailing zeros a whole column lacks). */
function shows(cell: string | undefined, value: number | null, digits = 2): void {
  if (value === null) expect(cell).toBe('n/a');
  else expect(Number(cell)).toBe(Number(value.toFixed(digits)));
}

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await importPaths(store, FILES, {});
  } finally {
    store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('notebooks', () => {
  it('the README lists every notebook', () => {
    const files = readdirSync(join(REPO_ROOT, 'notebooks')).filter((f) => /^\d\d-.*\.ts$/.test(f));
    expect(files).toHaveLength(4);
    const readme = readFileSync(join(REPO_ROOT, 'notebooks', 'README.md'), 'utf8');
    for (const file of files) expect(readme, file).toContain(`notebooks/${file}`);
  });

  it('01 compares the four ensemble methods with a metrics table, a paired bootstrap, and HTML reports', async () => {
    const run = await notebook('01-ensemble-methods.ts', [...PERIOD, '--out', reports]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^# Which ensemble method\?/);
    const methods = /^(weighted_vote|bayesian_weighted|average_confidence|majority)$/;
    const metrics = rows(run.stdout, methods).filter((r) => r[1]?.startsWith('run-'));
    expect(metrics.map((r) => r[0])).toEqual(['weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority']);
    for (const [, runId, ret, sharpe] of metrics) {
      const stored = await readOnly((store) => getRun(store, runId!));
      expect(stored.status).toBe('complete');
      shows(ret, stored.metrics!.totalReturn! * 100);
      shows(sharpe, stored.metrics!.sharpe);
      expect((stored.manifest.config as { ensemble: { method: string } }).ensemble.method).toBe(metrics.find((r) => r[1] === runId)![0]);
    }
    const bootstrap = rows(run.stdout, methods).filter((r) => !r[1]?.startsWith('run-'));
    expect(bootstrap).toHaveLength(4);
    expect(bootstrap[0]!.slice(4)).toEqual(['n/a', 'n/a', 'n/a', 'n/a']); // weighted_vote is the reference
    for (const r of bootstrap) expect(Number(r[2])).toBeLessThanOrEqual(Number(r[3])); // 95 % lo ≤ hi
    for (const r of bootstrap.slice(1)) {
      expect(Number(r[5])).toBeLessThanOrEqual(Number(r[4]));
      expect(Number(r[4])).toBeLessThanOrEqual(Number(r[6]));
      expect(Number(r[7])).toBeGreaterThanOrEqual(0);
      expect(Number(r[7])).toBeLessThanOrEqual(1);
    }
    expect(run.stdout).toMatch(/^Conclusion: /m);
    for (const method of ['weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority']) {
      const html = readFileSync(join(reports, `01-${method}.html`), 'utf8');
      const charts = [...parseHTML(html).document.querySelectorAll('figure.chart')];
      expect(charts).toHaveLength(6);
      for (const chart of charts) expect(chart.querySelector('svg'), chart.getAttribute('id') ?? '').not.toBeNull();
    }
  });

  it('02 runs a sweep and prints its best configurations with DSR, and PBO, as the stored sweep gives them', async () => {
    const run = await notebook('02-sweep-overfitting.ts', PERIOD);
    expect(run.code, run.stderr).toBe(0);
    const sweepId = /^Sweep (sw-[0-9a-f]{12}): 36 configurations, 36 replayed now, 0 already stored; complete\.$/m.exec(run.stdout)?.[1];
    expect(sweepId, run.stdout).toBeDefined();
    const summary = await readOnly(async (store) => {
      const sweep = await getSweep(store, sweepId!);
      return summarizeSweep(await sweepResults(store, sweepId!, { returns: true }), { by: 'sharpe', n: 10, periodMs: sweep.periodMs });
    });
    const top = rows(run.stdout, /^\d+$/).filter((r) => r.length === 10);
    expect(top).toHaveLength(10);
    top.forEach((r, i) => {
      shows(r[4], summary.top[i]!.metrics.sharpe);
      shows(r[9], summary.top[i]!.dsr, 3);
    });
    const pboLine = run.stdout.split('\n')[run.stdout.split('\n').findIndex((l) => /^\s*PBO\s+P\(loss out of sample\)/.test(l)) + 2]!;
    const [pbo, loss] = pboLine.trim().split(/\s{2,}/);
    shows(pbo, summary.pbo!.pbo, 3);
    shows(loss, summary.pbo!.lossProbability, 3);
    expect(run.stdout.includes('warning: PBO is')).toBe(summary.pbo!.pbo > 0.5);
  });

  it('03 trains a GBDT on the first two thirds and replays the last third three ways', async () => {
    const run = await notebook('03-trained-vs-rules.ts', PERIOD);
    expect(run.code, run.stderr).toBe(0);
    const trained = rows(run.stdout, /^nb03-gbdt v1$/);
    expect(trained).toHaveLength(1);
    expect(Number(trained[0]![3])).toBeGreaterThan(0); // test log loss
    const registered = await readOnly((store) => store.all(`SELECT version, training_to::DOUBLE AS training_to FROM models WHERE model_id = 'nb03-gbdt'`));
    expect(registered).toHaveLength(1);
    const split = Date.UTC(2025, 2, 18, 8); // two thirds of 14 days, on the hour
    expect(Number(registered[0]!['training_to'])).toBeLessThan(split);
    const replays = rows(run.stdout, /^(rules \(4\)|trained alone|rules \+ trained)$/);
    expect(replays.map((r) => r[0])).toEqual(['rules (4)', 'trained alone', 'rules + trained']);
    for (const [name, runId, ret, sharpe] of replays) {
      const stored = await readOnly((store) => getRun(store, runId!));
      expect(stored.manifest.data.from).toBe(split);
      shows(ret, stored.metrics!.totalReturn! * 100);
      shows(sharpe, stored.metrics!.sharpe);
      expect(stored.manifest.models.map((m) => m.name).includes('nb03-gbdt')).toBe(name !== 'rules (4)');
    }
  });

  it('04 exports the features, loads the ONNX model through its card, checks it on the rows and replays with it', async () => {
    const run = await notebook('04-bring-your-own-model.ts', PERIOD);
    expect(run.code, run.stderr).toBe(0);
    const parquet = join(dir, 'notebook-04', 'features.parquet');
    expect(existsSync(parquet)).toBe(true);
    const stored = await readOnly((store) => store.all(`SELECT count(*)::INTEGER AS n FROM read_parquet($1)`, [parquet]));
    const exported = rows(run.stdout, /features\.parquet$/);
    expect(Number(exported[0]![1])).toBe(Number(stored[0]!['n']));
    expect(Number(exported[0]![1])).toBe(14 * 288); // two weeks of 5m decisions
    expect(run.stdout).toMatch(/^byo_mlp\s+onnx\s+ret_1,ret_12,rsi_14,volume_z_48,ema_dist_9,ema_dist_21,macd_hist_rel,bb_pctb_20,bb_width_20,atr_rel_14\s+short,hold,long$/m);
    const check = rows(run.stdout, /^4032$/)[0]!;
    expect(Number(check[1]) + Number(check[2]) + Number(check[3])).toBe(4032);
    const replays = rows(run.stdout, /^(rules \(4\)|rules \+ byo_mlp|byo_mlp alone)$/);
    expect(replays).toHaveLength(3);
    for (const [name, runId, , sharpe] of replays) {
      const r = await readOnly((store) => getRun(store, runId!));
      shows(sharpe, r.metrics!.sharpe);
      expect(r.manifest.models.some((m) => m.name === 'byo_mlp' && m.kind === 'onnx')).toBe(name !== 'rules (4)');
    }
  });

  it('says what is missing when the store does not hold the period, and exits 2', async () => {
    const run = await notebook('01-ensemble-methods.ts', ['--from', '2020-01-01', '--to', '2020-02-01']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not hold usdm BTCUSDT candles for the whole period \(stored: .*5m 2025-03-06 .* → 2025-04-13/);
    expect(run.stderr).toContain('npx xylen data import ../shared/data/binance-usdm/BTCUSDT');
  });
});
