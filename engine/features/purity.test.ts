// engine/ is the pure core (../shared/DESIGN.md): the feature code must not do I/O, read the wall clock or
// draw unseeded randomness, or replay and live would compute different rows.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('./', import.meta.url);
const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const forbidden = [/from ['"]node:/, /from ['"](fs|net|path|os|child_process)['"]/, /duckdb|ccxt|fastify|apache-arrow/, /Date\.now\(|new Date\(\)|Math\.random\(|performance\.now\(/];

describe('engine/features purity', () => {
  it('has sources to check', () => {
    expect(sources).toContain('computeFeatures.ts');
  });

  it.each(sources)('%s imports no I/O and reads no clock or unseeded randomness', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    for (const pattern of forbidden) expect(text).not.toMatch(pattern);
  });
});
