// `npm run bench`: runs every bench/*Bench.ts (or only those whose name contains an argument) and
// prints their figures. Benchmarks are never tests: they measure, they do not pass or fail.
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';

const filters = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((name) => name.endsWith('Bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.toLowerCase().includes(f.toLowerCase())))
  .sort();

console.log(`xylen bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
for (const file of files) {
  console.log(`\n## ${file.replace(/\.ts$/, '')}`);
  const module = (await import(new URL(file, import.meta.url).href)) as { run?: () => Promise<void> };
  if (typeof module.run !== 'function') throw new Error(`${file} does not export run()`);
  await module.run();
}
