import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.ts';

// The engine core is what makes replay and live identical: it may not reach the outside world or the
// wall clock (../shared/DESIGN.md, "The core and its ports"). Adapters live outside engine/.
const FORBIDDEN_IMPORT =
  /from\s+['"](node:[^'"]+|fs|fs\/promises|net|http|https|path|os|child_process|worker_threads|dgram|tls|process)['"]|from\s+['"](fastify|ccxt|@duckdb\/[^'"]+|duckdb|onnxruntime-node|apache-arrow|ws|undici|bullmq|ioredis|pino)['"]/;
const WALL_TIME_OR_RANDOM = /Date\.now\(|new Date\(\)|Math\.random\(|performance\.now\(|process\.env/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'adapters' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('engine purity', () => {
  const files = sourceFiles(join(REPO_ROOT, 'engine'));

  it('finds the engine sources', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('imports no I/O library', () => {
    const offenders = files.filter((file) => FORBIDDEN_IMPORT.test(readFileSync(file, 'utf8'))).map((f) => relative(REPO_ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('reads no wall clock, environment or unseeded randomness (lines marked "dst-ok: why" excepted)', () => {
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(REPO_ROOT, file)}:${i + 1}` }))
        .filter(({ line }) => WALL_TIME_OR_RANDOM.test(line) && !line.includes('dst-ok:') && !/^\s*(\/\/|\*)/.test(line))
        .map(({ at }) => at),
    );
    expect(offenders).toEqual([]);
  });
});
