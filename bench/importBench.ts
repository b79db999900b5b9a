import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Store } from '../data/index.ts';
import { importPaths } from '../data/import/index.ts';

const ROWS = 3_000_000;
const START = Date.UTC(2019, 0, 1);

/**
 * Import speed of a Binance 12-column kline CSV (data.binance.vision layout, with header), the
 * format users bulk-load: a deterministic random-walk file of ROWS 1m candles is imported into a
 * fresh store (time includes checksum, parsing, validation and merge), then imported again.
 */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'xylen-import-bench-'));
  try {
    const file = join(dir, 'BTCUSDT-1m-2019-01_2024-09.csv');
    await writeKlines(file, ROWS);
    const mb = (await stat(file)).size / 1e6;
    console.log(`import: Binance kline CSV, ${ROWS.toLocaleString('en-US')} 1m rows (${mb.toFixed(0)} MB), fresh store; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    await importInto(join(dir, 'bench.duckdb'), file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function importInto(dbPath: string, file: string): Promise<void> {
  const store = await Store.open(dbPath);
  try {
    const first = await timed(() => importPaths(store, [file], {}));
    if (first.value.imported !== 1 || first.value.rowsAdded !== ROWS) throw new Error(`bench import failed: ${JSON.stringify(first.value.files[0])}`);
    const again = await timed(() => importPaths(store, [file], {}));
    if (again.value.unchanged !== 1) throw new Error('bench re-import was not unchanged');
    console.log(`    import     ${first.seconds.toFixed(2)} s  ${Math.round(ROWS / first.seconds).toLocaleString('en-US')} rows/s  (CPU ${first.cpu.toFixed(2)} s; checksum, parse, validate, merge)`);
    console.log(`    re-import  ${again.seconds.toFixed(2)} s  (unchanged: checksum match)`);
  } finally {
    store.close();
  }
}

/** Wall time, and CPU time of the process (DuckDB's threads included): the machine may be shared. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; cpu: number }> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const value = await work();
  const cpu = process.cpuUsage(cpuStart);
  return { value, seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** A seeded random walk written as Binance kline rows; same bytes on every run. */
async function writeKlines(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n');
  let seed = 42;
  const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  let price = 40_000;
  let lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const open = price;
    const close = Math.max(1, open * (1 + (next() - 0.5) * 0.004));
    const high = Math.max(open, close) * (1 + next() * 0.001);
    const low = Math.min(open, close) * (1 - next() * 0.001);
    const volume = next() * 200;
    const taker = volume * next();
    const t = START + i * 60_000;
    lines.push(
      `${t},${open.toFixed(1)},${high.toFixed(1)},${low.toFixed(1)},${close.toFixed(1)},${volume.toFixed(3)},${t + 59_999},${(volume * close).toFixed(5)},${Math.floor(volume * 37)},${taker.toFixed(3)},${(taker * close).toFixed(5)},0`,
    );
    price = Number(close.toFixed(1));
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      lines = [];
    }
  }
  out.end(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  await once(out, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
