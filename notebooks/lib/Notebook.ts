// The notebooks' shared toolkit: their flags, the store, prose and tables on standard output, HTML reports.
// A notebook is a TypeScript file run with `npx tsx notebooks/NN-name.ts`; what it prints is its rendered output.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DB_PATH, Store, type Market } from '../../data/index.ts';
import { formatTime, intervalMs, parseTime, XylenError, type Interval } from '../../engine/index.ts';
import { buildReport, writeReportFile } from '../../research/index.ts';

export interface NotebookDefaults {
  /** Default period (UTC dates): the real 2023–24 BTCUSDT data of `xylen data import ../shared/data/binance-usdm/BTCUSDT`. */
  from: string;
  to: string;
}

/**
 * A running notebook: the period and store it works on (from its flags), and ways to print its output.
 *
 * Flags every notebook takes: `--db PATH` (default `$XYLEN_DB`, then `./xylen.duckdb`), `--symbol` (BTCUSDT),
 * `--market` (usdm), `--from`/`--to` (UTC; `to` exclusive), `--out DIR` (also write HTML reports there).
 */
export class Notebook {
  private opened: Store | undefined;
  private readonly started = performance.now();

  private constructor(
    readonly title: string,
    readonly db: string,
    readonly symbol: string,
    readonly market: Market,
    readonly from: number,
    readonly to: number,
    readonly out: string | null,
  ) {}

  /** Parse the flags and print the title. Bad flags end the process with exit code 2 and the reason. */
  static start(title: string, defaults: NotebookDefaults, argv = process.argv.slice(2)): Notebook {
    try {
      const { values } = parseArgs({
        args: argv,
        options: {
          db: { type: 'string' },
          symbol: { type: 'string', default: 'BTCUSDT' },
          market: { type: 'string', default: 'usdm' },
          from: { type: 'string', default: defaults.from },
          to: { type: 'string', default: defaults.to },
          out: { type: 'string' },
        },
        strict: true,
      });
      const notebook = new Notebook(
        title,
        values.db ?? process.env['XYLEN_DB'] ?? DEFAULT_DB_PATH,
        values.symbol!,
        values.market as Market,
        parseTime(values.from!, '--from'),
        parseTime(values.to!, '--to'),
        values.out === undefined ? null : resolve(values.out),
      );
      if (notebook.out) mkdirSync(notebook.out, { recursive: true });
      process.stdout.write(`# ${title}\n\n${notebook.market} ${notebook.symbol}, ${formatTime(notebook.from)} → ${formatTime(notebook.to)}, store ${notebook.db}\n\n`);
      return notebook;
    } catch (error) {
      return fail(error);
    }
  }

  /** The store, read-write (the notebooks replay and store runs), checked to hold candles for the period. */
  async store(): Promise<Store> {
    if (this.opened) return this.opened;
    const store = await Store.open(this.db);
    // As a replay does: a stored interval fine enough for 5m decisions that covers the period (the finest becomes the base).
    const extents = await store.all(
      `SELECT interval, min(open_time)::DOUBLE AS first, max(open_time)::DOUBLE AS last FROM candles WHERE market = $1 AND symbol = $2 GROUP BY interval ORDER BY interval`,
      [this.market, this.symbol],
    );
    const covers = extents.some((e) => {
      const ms = intervalMs(e['interval'] as Interval);
      return ms <= intervalMs('5m') && (e['first'] as number) <= this.from && (e['last'] as number) + ms >= this.to;
    });
    if (!covers) {
      store.close();
      const stored = extents.length === 0 ? 'none' : extents.map((e) => `${e['interval']} ${formatTime(e['first'] as number)} → ${formatTime(e['last'] as number)}`).join(', ');
      fail(
        new Error(
          `${this.db} does not hold ${this.market} ${this.symbol} candles for the whole period (stored: ${stored}).\n` +
            '  Import real data first: npx xylen data import ../shared/data/binance-usdm/BTCUSDT   (or choose --from/--to inside what is stored)',
        ),
      );
    }
    this.opened = store;
    return store;
  }

  /** Close the store for now (a sweep opens it itself); `store()` opens it again. */
  releaseStore(): void {
    this.opened?.close();
    this.opened = undefined;
  }

  /** A step's heading. */
  section(text: string): void {
    process.stdout.write(`## ${text}\n\n`);
  }

  /** Prose, wrapped at 100 columns. */
  say(text: string): void {
    const words = text.replace(/\s+/g, ' ').trim().split(' ');
    const lines: string[] = [];
    let line = '';
    for (const word of words) {
      if (line.length > 0 && line.length + word.length + 1 > 100) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    process.stdout.write(`${lines.join('\n')}\n\n`);
  }

  /** Rows as an aligned table (numbers right-aligned); `null` prints as `n/a`. */
  table(rows: readonly Record<string, string | number | null>[]): void {
    process.stdout.write(`${formatRows(rows)}\n\n`);
  }

  /** With `--out`: write the HTML report of a run, sweep or walk-forward there, and say where. */
  async report(target: string, file: string): Promise<string | null> {
    if (!this.out) return null;
    const built = await buildReport(await this.store(), target, { generatedAt: new Date(), generator: `notebook "${this.title}"` });
    const written = writeReportFile(join(this.out, file), built.html);
    process.stdout.write(`report: ${written.path} (${built.kind} ${built.id}, ${built.charts} charts)\n`);
    return written.path;
  }

  /** Close the store and print how long the notebook took. */
  finish(): void {
    this.opened?.close();
    this.opened = undefined;
    process.stdout.write(`(done in ${((performance.now() - this.started) / 1000).toFixed(1)} s)\n`);
  }
}

export function formatRows(rows: readonly Record<string, string | number | null>[]): string {
  if (rows.length === 0) return '(none)';
  const keys = Object.keys(rows[0]!);
  const numeric = keys.map((k) => rows.every((row) => typeof row[k] === 'number' || row[k] === null));
  // A numeric column prints every value with the column's most decimals (up to 4), so the points line up.
  const decimals = keys.map((k) => Math.min(4, Math.max(0, ...rows.map((row) => (typeof row[k] === 'number' ? (String(row[k]).split('.')[1] ?? '').length : 0)))));
  const text = (v: string | number | null | undefined, i: number) =>
    v === null || v === undefined ? 'n/a' : typeof v === 'number' && numeric[i] ? v.toFixed(decimals[i]!) : String(v);
  const cells = rows.map((row) => keys.map((k, i) => text(row[k], i)));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A number rounded for a table (a number, so it right-aligns), or null. */
export function round(value: number | null | undefined, digits = 2): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
}

/** A fraction as a percentage number for a table. */
export function pct(value: number | null | undefined, digits = 2): number | null {
  return value === null || value === undefined ? null : round(value * 100, digits);
}

function fail(error: unknown): never {
  const message = error instanceof XylenError ? `error[${error.code}]: ${error.describe()}` : `error: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
