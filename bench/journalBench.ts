import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../data/index.ts';
import { Rng, type JournalRecord } from '../engine/index.ts';
import { DuckDbJournal, journalHash, metricsFromJournal, readJournal } from '../research/index.ts';
import { sampleManifest } from '../research/test/sampleJournal.ts';

const DECISIONS = 105_120; // a year of 5m decisions
const MODELS = ['momentum', 'mean_reversion', 'macd_cross', 'rsi'];
const FEATURES = 23; // the default feature set with 1h context
const BAR_MS = 300_000;
const T0 = Date.UTC(2023, 0, 1);

/**
 * How fast a year-long replay's journal goes into DuckDB: ~105k heartbeats (23 features and 4 votes each) plus a
 * trade every ~50 bars. Times `record` (hash + buffering + chunk appends) and `finish` together, then reading the
 * journal back and re-hashing it.
 */
export async function run(): Promise<void> {
  const records = yearOfRecords();
  const dir = mkdtempSync(join(tmpdir(), 'xylen-journalbench-'));
  const store = await Store.open(join(dir, 'bench.duckdb'));
  try {
    const hashStart = performance.now();
    const memoryHash = journalHash(records);
    const hashMs = performance.now() - hashStart;

    const writeStart = performance.now();
    const journal = await DuckDbJournal.open(store, { runId: 'run-20230101-000000-beef', kind: 'replay', manifest: sampleManifest(), createdAt: new Date(T0) });
    for (const r of records) journal.record(r);
    const recordMs = performance.now() - writeStart;
    const metrics = metricsFromJournal(records, { barMs: BAR_MS, firstClose: 20_000, lastClose: 21_000 });
    const finished = await journal.finish({ metrics, bars: DECISIONS * 5, elapsedMs: 0, finishedAt: new Date(T0) });
    const writeMs = performance.now() - writeStart;
    if (finished.journalHash !== memoryHash) throw new Error('stored hash differs from the in-memory hash');

    const readStart = performance.now();
    const back = await readJournal(store, finished.runId);
    const readMs = performance.now() - readStart;
    if (journalHash(back) !== memoryHash) throw new Error('read-back journal hashes differently');

    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    console.log(`journal of one year of 5m decisions: ${[...counts].map(([t, n]) => `${n.toLocaleString('en-US')} ${t}`).join(', ')}`);
    console.log(`  write (record + finish)  ${ms(writeMs)}  ${rate(records.length, writeMs)}   of which record() ${ms(recordMs)}`);
    console.log(`  journal hash alone       ${ms(hashMs)}  ${rate(records.length, hashMs)}`);
    console.log(`  read back (all tables)   ${ms(readMs)}  ${rate(records.length, readMs)}   same hash: yes`);

  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A deterministic stand-in for a replay's journal, with the record mix and sizes of a real one. */
function yearOfRecords(): JournalRecord[] {
  const rng = new Rng(7);
  const records: JournalRecord[] = [];
  let price = 20_000;
  let quantity = 0;
  let wallet = 10_000;
  for (let row = 0; row < DECISIONS; row++) {
    const ts = T0 + row * BAR_MS;
    price *= 1 + (rng.next() - 0.5) * 0.004;
    const trade = row % 50 === 0;
    records.push({
      type: 'heartbeat',
      ts,
      row,
      close: price,
      features: Float64Array.from({ length: FEATURES }, () => rng.next() * 2 - 1),
      equity: wallet + quantity * (price - 20_000),
      wallet,
      quantity,
      markPrice: price,
      votes: MODELS.map((model, i) => ({ model, action: (['long', 'short', 'hold'] as const)[(row + i) % 3]!, confidence: rng.next(), weight: 0.25 })),
      action: 'long',
      confidence: rng.next(),
      scores: { long: 0.5, short: 0.2, hold: 0.3 },
      outcome: trade ? 'ORDER_PLACED' : 'HOLD',
    });
    if (trade) {
      const id = `xy-${row}-E`;
      records.push({ type: 'order', ts, order: { clientOrderId: id, side: 1, type: 'MARKET', quantity: 0.01, reduceOnly: false, status: 'NEW', filledQuantity: 0, averagePrice: 0, createdAt: ts, updatedAt: ts } });
      records.push({ type: 'fill', ts: ts + 60_000, fill: { ts: ts + 60_000, clientOrderId: id, side: 1, quantity: 0.01, price, fee: price * 0.01 * 0.0005, liquidity: 'taker', reason: 'ORDER', realizedPnl: 0 } });
      records.push({ type: 'trade', ts: ts + BAR_MS, side: 'long', entryTs: ts, entryPrice: price, exitPrice: price * 1.001, quantity: 0.01, pnl: price * 0.00001, fees: 0.2, funding: 0, exitReason: 'TAKE_PROFIT' });
      wallet += price * 0.00001 - 0.2;
    }
    if (row % 96 === 0) records.push({ type: 'funding', ts, rate: 0.0001, markPrice: price, payment: -quantity * price * 0.0001, quantity });
  }
  return records;
}


const ms = (value: number) => `${Math.round(value).toLocaleString('en-US').padStart(6)} ms`;
const rate = (rows: number, millis: number) => `${Math.round(rows / (millis / 1000)).toLocaleString('en-US').padStart(10)} rows/s`;

if (import.meta.url === `file://${process.argv[1]}`) await run();
