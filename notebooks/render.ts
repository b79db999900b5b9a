/**
 * Renders every notebook's output into notebooks/rendered/<name>.md: the notebook is run on its default period against
 * a store of real candles, and what it prints is kept as its rendered output, as a saved notebook keeps its cells'
 * outputs. Rerun after changing a notebook:
 *
 *     npx xylen --db /tmp/nb.duckdb data import ../shared/data/binance-usdm/BTCUSDT
 *     npx tsx notebooks/render.ts --db /tmp/nb.duckdb
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({ options: { db: { type: 'string' } } });
const db = values.db ?? process.env['XYLEN_DB'];
if (!db) {
  process.stderr.write('usage: npx tsx notebooks/render.ts --db STORE (a store with the real BTCUSDT candles imported)\n');
  process.exit(2);
}
const out = join(here, 'rendered');
mkdirSync(out, { recursive: true });
for (const file of readdirSync(here).filter((f) => /^\d\d-.*\.ts$/.test(f)).sort()) {
  const name = basename(file, '.ts');
  process.stderr.write(`rendering ${name} …\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, file), '--db', db], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    process.exit(run.status ?? 1);
  }
  const text = [
    `# ${name}: rendered output`,
    '',
    `What \`npx tsx notebooks/${file}\` printed on its default period of the real BTCUSDT data in \`../shared/data\`, when these`,
    'notebooks were last rendered (`npx tsx notebooks/render.ts --db STORE`). Run ids and timings differ from run to run; the',
    'numbers do not.',
    '',
    '```text',
    run.stdout.trimEnd(),
    '```',
    '',
  ].join('\n');
  writeFileSync(join(out, `${name}.md`), text);
}
