import { afterEach, describe, expect, it } from 'vitest';
import { Progress } from './Progress.ts';

const saved = { write: process.stderr.write, env: process.env['XYLEN_PROGRESS'] };
afterEach(() => {
  process.stderr.write = saved.write;
  if (saved.env === undefined) delete process.env['XYLEN_PROGRESS'];
  else process.env['XYLEN_PROGRESS'] = saved.env;
});

function captureStderr(): string[] {
  const lines: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  return lines;
}

describe('Progress', () => {
  it('writes JSON lines for a parent process with XYLEN_PROGRESS=json, throttled, and always the last one', () => {
    process.env['XYLEN_PROGRESS'] = 'json';
    const lines = captureStderr();
    const progress = new Progress({ label: 'replay', total: 1000, unit: 'bars', quiet: true });
    for (let done = 1; done <= 999; done++) progress.update(done);
    progress.update(1000);
    progress.stop();
    const parsed = lines.map((line) => JSON.parse(line) as { progress: { label: string; done: number; total: number; unit: string } });
    expect(parsed[0]).toEqual({ progress: { label: 'replay', done: 1, total: 1000, unit: 'bars' } });
    expect(parsed.at(-1)!.progress.done).toBe(1000);
    // 999 updates within a few ms: the throttle lets through the first and the complete ones only.
    expect(parsed.length).toBeLessThanOrEqual(4);
  });

  it('writes nothing off a terminal without it', () => {
    delete process.env['XYLEN_PROGRESS'];
    const lines = captureStderr();
    const progress = new Progress({ label: 'replay', total: 10, unit: 'bars' });
    progress.update(10);
    progress.stop();
    expect(lines).toEqual([]);
  });
});
