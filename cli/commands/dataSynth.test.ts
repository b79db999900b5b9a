import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../data/index.ts';
import { generateSynthetic } from '../../data/synth/index.ts';
import { runXylen } from '../../test/runXylen.ts';

const dir = mkdtempSync(join(tmpdir(), 'xylen-synth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const xylen = (args: string[]) => runXylen(['--db', join(dir, 'default.duckdb'), ...args]);

describe('xylen data synth', () => {
  it('stores the generator’s series in market synthetic, says SYNTHETIC, and logs format synthetic', async () => {
    const db = join(dir, 'synth.duckdb');
    const result = await xylen(['--db', db, 'data', 'synth', '--days', '2', '--seed', '5', '--start', '2024-03-01', '--price', '3000', '--symbol', 'ETHUSDT']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^SYNTHETIC data/);
    expect(result.stdout).toContain("market 'synthetic'");

    const start = Date.UTC(2024, 2, 1);
    const expected = generateSynthetic({ start, end: start + 2 * 86_400_000, interval: '1m', seed: 5, price: 3000 });
    const store = await Store.open(db, { readOnly: true });
    try {
      const rows = await store.all(`SELECT market, open_time::DOUBLE AS t, close FROM candles WHERE symbol = 'ETHUSDT' ORDER BY open_time`);
      expect(rows.length).toBe(2_880);
      expect(new Set(rows.map((r) => r['market']))).toEqual(new Set(['synthetic']));
      expect(rows.map((r) => r['close'])).toEqual(Array.from(expected.candles.close));
      const funding = await store.all(`SELECT market, rate FROM funding_rates ORDER BY funding_time`);
      expect(funding.map((r) => r['rate'])).toEqual(Array.from(expected.funding.rate));
      expect(funding.every((r) => r['market'] === 'synthetic')).toBe(true);
      const imports = await store.all(`SELECT dataset, market, format, source, status FROM imports ORDER BY id`);
      expect(imports).toEqual([
        { dataset: 'candles', market: 'synthetic', format: 'synthetic', source: 'synth:seed=5', status: 'imported' },
        { dataset: 'funding_rates', market: 'synthetic', format: 'synthetic', source: 'synth:seed=5', status: 'imported' },
      ]);
    } finally {
      store.close();
    }

    const again = await xylen(['--db', db, 'data', 'synth', '--days', '2', '--seed', '5', '--start', '2024-03-01', '--price', '3000', '--symbol', 'ETHUSDT', '--json']);
    const parsed = JSON.parse(again.stdout) as { synthetic: boolean; market: string; candles: { status: string; rowsAdded: number } };
    expect([parsed.synthetic, parsed.market, parsed.candles.status, parsed.candles.rowsAdded]).toEqual([true, 'synthetic', 'unchanged', 0]);
  });

  it('refuses bad flags with exit 2 naming the flag, and another seed over stored candles with exit 1', async () => {
    const db = join(dir, 'bad.duckdb');
    const days = await xylen(['--db', db, 'data', 'synth', '--days', 'many']);
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('--days');
    const start = await xylen(['--db', db, 'data', 'synth', '--days', '1', '--start', '2024-01-01T00:00:30Z']);
    expect(start.code).toBe(2);
    expect(start.stderr).toContain('--start');

    expect((await xylen(['--db', db, 'data', 'synth', '--days', '1', '--seed', '1'])).code).toBe(0);
    const other = await xylen(['--db', db, 'data', 'synth', '--days', '1', '--seed', '2']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('SYNTH_CONFLICT');
    expect(other.stderr).not.toMatch(/\n\s+at /);
  });
});
