import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { DuckDbJournal, metricsFromJournal } from '../../research/index.ts';
import { BAR_MS, sampleJournal, sampleManifest, T0 } from '../../research/test/sampleJournal.ts';
import { runXylenBin } from '../../test/runXylenBin.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-runs-'));
const db = join(dir, 'runs.duckdb');
const RUN = 'run-20240101-075000-abcd';
const FAILED = 'run-20240102-000000-beef';

/** The real bin in a child process: these tests are also about its exit status. */
const xylen = (args: string[]) => runXylenBin(['--db', db, ...args], { cwd: dir });

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    const records = sampleJournal();
    const journal = await DuckDbJournal.open(store, { runId: RUN, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    for (const r of records) journal.record(r);
    const metrics = metricsFromJournal(records, { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 });
    await journal.finish({ metrics, bars: 20, elapsedMs: 7, finishedAt: new Date(T0 + 7) });
    const failed = await DuckDbJournal.open(store, { runId: FAILED, kind: 'replay', manifest: sampleManifest(), createdAt: new Date(Date.UTC(2024, 0, 2)) });
    await failed.fail('no candles in range', new Date(Date.UTC(2024, 0, 2)));
  } finally {
    store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('xylen runs', () => {
  it('ls lists runs newest first, with symbol, range, return, Sharpe and trades', async () => {
    const text = await xylen(['runs', 'ls']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/run\s+created \(UTC\)\s+kind\s+status\s+symbol\s+range\s+return %\s+sharpe\s+trades/);
    expect(lines[2]).toContain(FAILED);
    expect(lines[3]).toMatch(new RegExp(`${RUN}\\s+2024-01-01 07:50:00Z\\s+replay\\s+complete\\s+BTCUSDT\\s+2024-01-01 → 2024-01-01\\s+0\\.44\\s+\\S+\\s+1$`));

    const json = await xylen(['runs', 'ls', '--json']);
    const list = JSON.parse(json.stdout) as { runId: string; totalReturn: number | null; trades: number | null; status: string }[];
    expect(list.map((r) => r.runId)).toEqual([FAILED, RUN]);
    expect(list[1]!.totalReturn).toBeCloseTo(44.3525 / 10_000, 12);
    expect(list[1]!.trades).toBe(1);
    expect(list[0]).toMatchObject({ status: 'failed', totalReturn: null });
  });

  it('show prints the report again, and --json the manifest and metrics', async () => {
    const text = await xylen(['runs', 'show', RUN]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Run ${RUN} (replay, complete)`);
    expect(text.stdout).toContain('annualised on 365 days');
    expect(text.stdout).toMatch(/Fees paid\s+4\.23 USDT/);

    const json = JSON.parse((await xylen(['runs', 'show', RUN, '--json'])).stdout) as { manifest: unknown; metrics: { trades: number }; journalHash: string };
    expect(json.manifest).toEqual(sampleManifest());
    expect(json.metrics.trades).toBe(1);
    expect(json.journalHash).toMatch(/^[0-9a-f]{64}$/);

    const failed = await xylen(['runs', 'show', FAILED]);
    expect(failed.code).toBe(0);
    expect(failed.stdout).toContain('failed: no candles in range');
  });

  it('export writes one CSV per journal table, decisions with every model’s vote', async () => {
    const out = join(dir, 'audit');
    const result = await xylen(['runs', 'export', RUN, '--csv', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      ['config_changes', 'decisions', 'equity', 'features', 'fills', 'funding', 'orders', 'risk_events', 'trades'].map((t) => `${t}.csv`),
    );
    // Read the CSVs back with DuckDB's own CSV reader and compare with the hand-made journal.
    const store = await Store.open(join(dir, 'reader.duckdb'));
    try {
      const csv = (table: string) => store.all(`SELECT * FROM read_csv('${join(out, `${table}.csv`)}', header = true, all_varchar = true) ORDER BY seq::INTEGER`);
      const decisions = await csv('decisions');
      expect(decisions).toHaveLength(3);
      expect(decisions[0]).toMatchObject({
        time: '2024-01-01 07:50:00',
        outcome: 'ORDER_PLACED',
        momentum_action: 'long',
        momentum_confidence: '0.8',
        mean_reversion_action: 'short',
        macd_weight: '0.4',
      });
      expect(decisions[2]).toMatchObject({ outcome: 'NO_QUORUM', detail: '1 of 3 models answered', missing: 'macd,mean_reversion', momentum_action: 'long', macd_action: null });
      const features = await csv('features');
      expect(features.map((f) => f['f1'])).toEqual(['-0.5', '-0.25', '-0.125']);
      const fills = await csv('fills');
      expect(fills.map((f) => [f['client_order_id'], f['price'], f['fee'], f['reason']])).toEqual([
        ['xy-1-E', '42010.0', '2.1005', 'ORDER'],
        ['xy-1-TP', '42500.0', '2.125', 'TAKE_PROFIT'],
      ]);
      const risk = await csv('risk_events');
      expect(risk[1]).toMatchObject({ rule: 'DAILY_TRADE_LIMIT', until: '2024-01-02 00:00:00', values_json: '{"limit":1,"trades":1}' });
      const trades = await csv('trades');
      expect(trades[0]).toMatchObject({ side: 'long', entry_ts: '2024-01-01 07:51:00', pnl: '49.0', funding: '-0.422', exit_reason: 'TAKE_PROFIT' });
      expect(await csv('equity')).toHaveLength(4);
    } finally {
      store.close();
    }
  });

  it('an unknown or malformed run id exits 2 and says how to find ids', async () => {
    const unknown = await xylen(['runs', 'show', 'run-20990101-000000-0000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('RUN_NOT_FOUND');
    expect(unknown.stderr).toContain('xylen runs ls');
    const malformed = await xylen(['runs', 'export', 'newest', '--csv', join(dir, 'x')]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('BAD_RUN_ID');
  });

  it('`latest` names the newest complete run for show and export (the newer failed run is passed over)', async () => {
    const shown = await xylen(['runs', 'show', 'latest', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { runId: string }).runId).toBe(RUN);
    const exported = await xylen(['runs', 'export', 'latest', '--csv', join(dir, 'latest'), '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect((JSON.parse(exported.stdout) as { runId: string }).runId).toBe(RUN);
    expect(readdirSync(join(dir, 'latest'))).toContain('decisions.csv');
  });

  it('export into a path that is a file exits 2 naming --csv, and writes nothing', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'kept');
    for (const target of [file, join(file, 'sub')]) {
      const result = await xylen(['runs', 'export', RUN, '--csv', target]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/EXPORT_DIR_(IS_FILE|UNWRITABLE).*--csv/);
    }
    expect(readFileSync(file, 'utf8')).toBe('kept');
  });

  // Last: it deletes a run the tests above read.
  it('rm deletes a run and its journal; an unknown id deletes nothing and exits 2', async () => {
    const unknown = await xylen(['runs', 'rm', FAILED, 'run-20990101-000000-0000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('RUN_NOT_FOUND');
    const removed = await xylen(['runs', 'rm', RUN]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^deleted 1 run \([\d,]+ rows in \d+ tables\)\n$/);
    const left = JSON.parse((await xylen(['runs', 'ls', '--json'])).stdout) as { runId: string }[];
    expect(left.map((r) => r.runId)).toEqual([FAILED]);
    const json = JSON.parse((await xylen(['runs', 'rm', FAILED, '--json'])).stdout) as { runIds: string[]; rows: Record<string, number> };
    expect(json).toMatchObject({ runIds: [FAILED], rows: { runs: 1 } });
    expect((await xylen(['runs', 'show', RUN])).code).toBe(2);
  });
});
