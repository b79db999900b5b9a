// `npm run bench`: runs every bench/*Bench.ts (or only those whose name contains an argument), each in a
// process of its own so that one bench's memory and JIT state never colour another's figures (peak RSS in
// particular). Benchmarks are never tests: they measure, they do not pass or fail.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('Bench.ts'))
  // `model-server` finds modelServerBench.ts: case and dashes do not matter.
  .filter((name) => filters.length === 0 || filters.some((f) => name.toLowerCase().includes(f.toLowerCase().replaceAll('-', ''))))
  .sort();

console.log(`xylen bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file.replace(/\.ts$/, '')}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
if (failed > 0) {
  console.error(`\n${failed} bench(es) did not finish`);
  process.exitCode = 1;
}
