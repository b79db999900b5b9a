import { runCli } from '../cli/main.ts';

export interface XylenRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the `xylen` CLI in this process, as `bin/xylen.js` would but without paying for a Node start
 * per call (about a second each), with extra environment variables for the duration of the call;
 * returns the exit code and what it wrote. Calls must not overlap: tests in one file run one after
 * another, so swapping the streams is safe. Use runXylenBin where only a real process proves the
 * point (the bin entry, its exit status, several processes at once).
 */
export async function runXylen(args: string[], env: Record<string, string> = {}): Promise<XylenRun> {
  const output = { stdout: '', stderr: '' };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write, env: { ...process.env } };
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => ((output[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as typeof process.stdout.write;
  Object.assign(process.env, env);
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    return { code: await runCli(args), ...output };
  } finally {
    Object.assign(process.stdout, { write: saved.stdout });
    Object.assign(process.stderr, { write: saved.stderr });
    process.env = saved.env;
  }
}
