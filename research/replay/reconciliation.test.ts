import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths, Store } from '../../data/index.ts';
import type { Fill, JournalRecord } from '../../engine/index.ts';
import { SHARED_DATA } from '../../test/paths.ts';
import { readJournal } from '../journal/readJournal.ts';
import { runStoredReplay, type StoredReplayResult } from './runStoredReplay.ts';
import { testConfig } from './test/syntheticInputs.ts';

const FILES = ['BTCUSDT-5m-2025-03-06_2025-04-13.csv', 'BTCUSDT-1h-2019-09-08_2026-05-17.csv', 'BTCUSDT-funding-2019-09-10_2026-05-17.csv'].map((f) =>
  join(SHARED_DATA, 'binance-usdm', 'BTCUSDT', f),
);
const dir = mkdtempSync(join(tmpdir(), 'xylen-reconcile-'));
const INITIAL = 10_000;
// Tight levels and a low threshold so that the five weeks hold many trades (and funding paid inside them).
const config = testConfig({
  ensemble: { threshold: 0.3 },
  risk: { stop_loss_pct: 0.01, take_profit_pct: 0.015, leverage: 5, max_consecutive_losses: 1000, max_daily_trades: 1000 },
  replay: { initial_balance: INITIAL },
});
const FROM = Date.UTC(2025, 2, 9);
let store: Store;

interface Run {
  result: StoredReplayResult;
  journal: JournalRecord[];
  book: ReturnType<typeof rebook>;
}
const runs: Record<'whole' | 'cut', Run> = {} as Record<'whole' | 'cut', Run>;

async function replay(to: number): Promise<Run> {
  const result = await runStoredReplay(store, config, { market: 'usdm', symbol: 'BTCUSDT', from: FROM, to });
  const journal = await readJournal(store, result.runId);
  return { result, journal, book: rebook(journal) };
}

beforeAll(async () => {
  store = await Store.open(join(dir, 'store.duckdb'));
  await importPaths(store, FILES, {});
  runs.whole = await replay(Date.UTC(2025, 3, 13));
  // The same period cut in the middle of its longest trade, so that a position is still open at the end.
  const longest = runs.whole.book.tradeRecords.reduce((a, b) => (b.ts - b.entryTs > a.ts - a.entryTs ? b : a));
  const FIVE_MINUTES = 300_000;
  runs.cut = await replay(Math.floor((longest.entryTs + longest.ts) / 2 / FIVE_MINUTES) * FIVE_MINUTES);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A position from one entry to flat, rebuilt from the journal's fills and funding alone. */
interface Segment {
  entryTs: number;
  fills: Fill[];
  realized: number;
  fees: number;
  funding: number;
}

/**
 * A naive second bookkeeping of the journal, independent of the engine's Account: average entry price, realized PnL
 * of each closing fill (closed quantity × price move), wallet = initial + Σ realized − Σ fees + Σ funding, and the
 * segments from an entry to flat. What disagrees with the journal's own numbers goes to `problems`.
 */
function rebook(records: readonly JournalRecord[]) {
  let quantity = 0;
  let entry = 0;
  let wallet = INITIAL;
  let open: Segment | undefined;
  const closed: Segment[] = [];
  const tradeRecords: Extract<JournalRecord, { type: 'trade' }>[] = [];
  let equityRecords = 0;
  const problems: string[] = [];
  const check = (kind: string, actual: number, expected: number, what: string) => {
    if (!(Math.abs(actual - expected) <= 1e-6)) problems.push(`${kind}: ${what} is ${actual}, rebooked ${expected}`);
  };
  for (const r of records) {
    switch (r.type) {
      case 'fill': {
        const f = r.fill;
        open ??= { entryTs: r.ts, fills: [], realized: 0, fees: 0, funding: 0 };
        const closing = quantity !== 0 && Math.sign(quantity) !== f.side ? Math.min(Math.abs(quantity), f.quantity) : 0;
        const realized = closing * (f.price - entry) * Math.sign(quantity);
        check('fill', f.realizedPnl, realized, `realized PnL of ${f.clientOrderId} at ${r.ts}`);
        quantity += f.side * closing;
        const opening = f.quantity - closing;
        if (opening > 0) {
          entry = (Math.abs(quantity) * entry + opening * f.price) / (Math.abs(quantity) + opening);
          quantity += f.side * opening;
        }
        wallet += realized - f.fee;
        open.fills.push(f);
        open.realized += realized;
        open.fees += f.fee;
        if (Math.abs(quantity) < 1e-9) {
          quantity = 0;
          closed.push(open);
          open = undefined;
        }
        break;
      }
      case 'funding':
        // Funding is paid only on an open position: it always belongs to a trade (closed or still open).
        if (open === undefined) problems.push(`funding: payment at ${r.ts} with no position`);
        check('funding', r.quantity, quantity, `position at the funding of ${r.ts}`);
        check('funding', r.payment, -quantity * r.markPrice * r.rate, `payment at ${r.ts}`); // longs pay when the rate is positive
        wallet += r.payment;
        if (open) open.funding += r.payment;
        break;
      case 'heartbeat':
      case 'equity':
        equityRecords++;
        check('equity', r.wallet, wallet, `wallet at ${r.ts}`);
        check('equity', r.quantity, quantity, `position at ${r.ts}`);
        check('equity', r.equity, r.wallet + r.quantity * (r.markPrice - entry), `equity at ${r.ts}`);
        break;
      case 'trade':
        tradeRecords.push(r);
        break;
      default:
        break;
    }
  }
  return { closed, open, tradeRecords, equityRecords, quantity, entry, problems };
}

describe.each([
  ['to the end of the data', 'whole'],
  ['cut inside a trade', 'cut'],
] as const)('a replay of real BTCUSDT 5m data (%s) reconciles with its journal', (_label, which) => {
  const run = () => runs[which];

  it('ran on stored funding rates, with trades to reconcile (and, cut, with a position open at the end)', () => {
    const { result, journal, book } = run();
    expect(result.manifest.funding.source).toBe('stored');
    expect(result.manifest.data.baseInterval).toBe('5m');
    expect(result.metrics.trades).toBeGreaterThan(which === 'whole' ? 40 : 5);
    expect(journal.some((r) => r.type === 'funding')).toBe(true);
    expect(book.quantity !== 0).toBe(which === 'cut');
    // The timings: elapsedMs is its three phases, each of them measured.
    const { features, journal: setUp, loop } = result.phasesMs;
    for (const ms of [features, setUp, loop]) expect(ms).toBeGreaterThan(0);
    expect(features + setUp + loop).toBeCloseTo(result.elapsedMs, 6);
  });

  it('every equity record: wallet as rebooked from fills and funding, equity = wallet + unrealized PnL', () => {
    const { equityRecords, problems } = run().book;
    expect(equityRecords).toBeGreaterThan(which === 'whole' ? 9_000 : 100);
    expect(problems.filter((p) => p.startsWith('equity')).slice(0, 5)).toEqual([]);
  });

  it("every trade record: PnL is the sum of its closing fills' realized PnL, with its fees, funding, size and times", () => {
    const { closed, tradeRecords, problems } = run().book;
    expect(problems.filter((p) => p.startsWith('fill')).slice(0, 5)).toEqual([]);
    expect(tradeRecords).toHaveLength(closed.length);
    tradeRecords.forEach((trade, i) => {
      const segment = closed[i]!;
      const last = segment.fills[segment.fills.length - 1]!;
      expect(trade.pnl, `trade ${i}`).toBeCloseTo(segment.realized, 6);
      expect(trade.fees, `trade ${i}`).toBeCloseTo(segment.fees, 6);
      expect(trade.funding, `trade ${i}`).toBeCloseTo(segment.funding, 6);
      expect([trade.entryTs, trade.ts, trade.exitPrice]).toEqual([segment.entryTs, last.ts, last.price]);
      expect(trade.quantity).toBeCloseTo(segment.fills[0]!.quantity, 9);
    });
  });

  it('the report: trade count, fees, funding and turnover are those of the fill and funding records', () => {
    const { result, journal } = run();
    const fills = journal.filter((r) => r.type === 'fill');
    const { metrics } = result;
    expect(metrics.trades).toBe(journal.filter((r) => r.type === 'trade').length);
    expect(metrics.fees).toBeCloseTo(fills.reduce((sum, r) => sum + r.fill.fee, 0), 6);
    expect(metrics.tradedNotional).toBeCloseTo(fills.reduce((sum, r) => sum + r.fill.quantity * r.fill.price, 0), 6);
    expect(metrics.fundingPaid).toBeCloseTo(-journal.reduce((sum, r) => sum + (r.type === 'funding' ? r.payment : 0), 0), 6);
  });

  it('end equity − start equity = Σ trades (pnl − fees + funding) + the open position (realized − fees + funding + unrealized)', () => {
    // Nothing else moves money: fees are paid only by fills and funding only on an open position, so every fee
    // and funding payment lies inside a closed trade or the position still open at the end (checked in rebook).
    const { result, journal, book } = run();
    const { open, tradeRecords, entry, quantity, problems } = book;
    expect(problems.filter((p) => p.startsWith('funding')).slice(0, 5)).toEqual([]);
    const last = journal.findLast((r) => r.type === 'equity' || r.type === 'heartbeat')!;
    const { metrics } = result;
    expect(metrics.startEquity).toBe(INITIAL);
    expect(metrics.endEquity).toBe(last.equity);
    const traded = tradeRecords.reduce((sum, t) => sum + t.pnl - t.fees + t.funding, 0);
    const openTrade = open === undefined ? 0 : open.realized - open.fees + open.funding;
    const unrealized = quantity * (last.markPrice - entry);
    expect(metrics.endEquity! - metrics.startEquity!).toBeCloseTo(traded + openTrade + unrealized, 6);
    expect(metrics.totalReturn).toBeCloseTo(metrics.endEquity! / INITIAL - 1, 12);
  });
});
